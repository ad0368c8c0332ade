"""GiNZA's named entities (Sekine's Extended Named Entity labels) as Presidio entities.

Only the labels below are kept; every other ENE label goes to ``labels_to_ignore`` so Presidio
neither warns nor leaks a raw label (JAPAN.md pitfall 2)."""

from __future__ import annotations

from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from masking.detection.labels import AGE, EMAIL_ADDRESS, LOCATION, ORGANIZATION_PERSONAL, PERSON, PHONE_NUMBER

ENE_TO_PRESIDIO: dict[str, str] = {
    "Person": PERSON,
    "Province": LOCATION,
    "City": LOCATION,
    "County": LOCATION,
    "GPE_Other": LOCATION,
    "Location_Other": LOCATION,
    "Postal_Address": LOCATION,
    "Domestic_Region": LOCATION,
    "School": LOCATION,
    "Hospital": LOCATION,
    "Company": ORGANIZATION_PERSONAL,
    "Phone_Number": PHONE_NUMBER,
    "Email": EMAIL_ADDRESS,
    "Age": AGE,
}
NER_ENTITIES = sorted(set(ENE_TO_PRESIDIO.values()))


def ginza_ner_recognizer() -> SpacyRecognizer:
    return SpacyRecognizer(supported_language="ja", supported_entities=NER_ENTITIES)
