"""PII labels (as in tests/data/pii/README.md) and the detected-span type."""

from __future__ import annotations

from dataclasses import dataclass

PERSON = "PERSON"
LOCATION = "LOCATION"
ORGANIZATION_PERSONAL = "ORGANIZATION_PERSONAL"
AGE = "AGE"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
PHONE_NUMBER = "PHONE_NUMBER"
MY_NUMBER = "MY_NUMBER"
BANK_ACCOUNT = "BANK_ACCOUNT"
INSURANCE_ID = "INSURANCE_ID"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
POSTAL_CODE = "POSTAL_CODE"
# Not in the evaluation label set: 在留カード, passport, driver's licence, 住民票コード (id_number.py).
ID_NUMBER = "ID_NUMBER"

ALL_LABELS = (
    PERSON,
    LOCATION,
    ORGANIZATION_PERSONAL,
    AGE,
    DATE_OF_BIRTH,
    PHONE_NUMBER,
    MY_NUMBER,
    BANK_ACCOUNT,
    INSURANCE_ID,
    EMAIL_ADDRESS,
    POSTAL_CODE,
    ID_NUMBER,
)

# Identifiers that must never reach an LLM: the re-scan before summarization blocks on these.
HIGH_RISK_LABELS: frozenset[str] = frozenset(
    {PHONE_NUMBER, MY_NUMBER, BANK_ACCOUNT, INSURANCE_ID, EMAIL_ADDRESS, POSTAL_CODE, ID_NUMBER}
)


@dataclass(frozen=True, slots=True, order=True)
class PiiSpan:
    """A detected span: offsets are Python str indices into the ORIGINAL text."""

    start: int
    end: int
    label: str
    score: float = 1.0

    def to_dict(self) -> dict[str, int | str]:
        return {"label": self.label, "start": self.start, "end": self.end}
