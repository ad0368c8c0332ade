"""Japanese recognizers, one per identifier. Which ones are active is configuration (a list of
names, see :data:`DEFAULT_RECOGNIZERS`), not code branches."""

from __future__ import annotations

from collections.abc import Callable

from presidio_analyzer import EntityRecognizer

from masking.detection.recognizers.address import AddressRecognizer
from masking.detection.recognizers.age import AgeRecognizer
from masking.detection.recognizers.bank_account import BankAccountRecognizer
from masking.detection.recognizers.birth_date import BirthDateRecognizer
from masking.detection.recognizers.email import EmailRecognizer
from masking.detection.recognizers.employer import EmployerRecognizer
from masking.detection.recognizers.facility import FacilityRecognizer
from masking.detection.recognizers.ginza_ner import ginza_ner_recognizer
from masking.detection.recognizers.id_number import IdNumberRecognizer
from masking.detection.recognizers.insurance import InsuranceRecognizer
from masking.detection.recognizers.my_number import MyNumberRecognizer
from masking.detection.recognizers.person import PersonRecognizer
from masking.detection.recognizers.phone import PhoneRecognizer
from masking.detection.recognizers.postal_code import PostalCodeRecognizer

RECOGNIZERS: dict[str, Callable[[], EntityRecognizer]] = {
    "my_number": MyNumberRecognizer,
    "phone": PhoneRecognizer,
    "postal_code": PostalCodeRecognizer,
    "email": EmailRecognizer,
    "bank_account": BankAccountRecognizer,
    "insurance": InsuranceRecognizer,
    "id_number": IdNumberRecognizer,
    "birth_date": BirthDateRecognizer,
    "age": AgeRecognizer,
    "address": AddressRecognizer,
    "facility": FacilityRecognizer,
    "employer": EmployerRecognizer,
    "person": PersonRecognizer,
    # GiNZA's statistical NER: needs the tok2vec+ner pipes (≈3k chars/s on this machine).
    "ginza_ner": ginza_ner_recognizer,
}
# ginza_ner is off by default: on the dev and fresh sets it adds no recall over the rules, lowers
# precision (dev 0.999 → 0.968) and throughput (≈70k → 2.7k chars/s per core); BENCHMARKS.md.
DEFAULT_RECOGNIZERS: tuple[str, ...] = tuple(name for name in RECOGNIZERS if name != "ginza_ner")
