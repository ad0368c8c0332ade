"""Typed, numbered placeholders (【氏名1】【電話番号1】…) consistent within a document: the same
surface always gets the same placeholder, and a surname alone reuses its full name's number, so a
summary of the masked text stays readable. The mapping placeholder → original is returned for the
caller to encrypt; it is never logged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from masking.detection.labels import (
    AGE,
    BANK_ACCOUNT,
    DATE_OF_BIRTH,
    EMAIL_ADDRESS,
    ID_NUMBER,
    INSURANCE_ID,
    LOCATION,
    MY_NUMBER,
    ORGANIZATION_PERSONAL,
    PERSON,
    PHONE_NUMBER,
    POSTAL_CODE,
    PiiSpan,
)

PLACEHOLDER_NAMES: dict[str, str] = {
    PERSON: "氏名",
    LOCATION: "場所",
    ORGANIZATION_PERSONAL: "勤務先",
    AGE: "年齢",
    DATE_OF_BIRTH: "生年月日",
    PHONE_NUMBER: "電話番号",
    MY_NUMBER: "個人番号",
    BANK_ACCOUNT: "口座番号",
    INSURANCE_ID: "保険番号",
    EMAIL_ADDRESS: "メールアドレス",
    POSTAL_CODE: "郵便番号",
    ID_NUMBER: "証明書番号",  # 在留カード, passport, licence, 住民票コード
}


@dataclass(frozen=True, slots=True)
class MaskedSpan:
    """Where a placeholder sits in the masked text (for highlighting in the review page)."""

    label: str
    start: int
    end: int
    placeholder: str


@dataclass(frozen=True, slots=True)
class MaskedText:
    text: str
    mapping: dict[str, str] = field(default_factory=dict)  # placeholder → original surface
    spans: tuple[MaskedSpan, ...] = ()


def _key(surface: str) -> str:
    """The same name spoken or typed with different spacing is the same person."""
    return re.sub(r"[\s\u3000・]+", "", surface)


def non_overlapping(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Keep the earliest (then longest) of overlapping spans; detectors already merge, callers may not."""
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.end > span.start and (not kept or span.start >= kept[-1].end):
            kept.append(span)
    return kept


def anonymize(text: str, spans: list[PiiSpan]) -> MaskedText:
    placeholders: dict[tuple[str, str], str] = {}  # (label, key) → placeholder
    counters: dict[str, int] = {}
    mapping: dict[str, str] = {}
    out: list[str] = []
    masked_spans: list[MaskedSpan] = []
    cursor = 0
    length = 0
    ordered = non_overlapping(spans)
    full_names = [_key(text[s.start : s.end]) for s in ordered if s.label == PERSON]
    for span in ordered:
        surface = text[span.start : span.end]
        key = _key(surface)
        if span.label == PERSON:
            # 「坂口さん」 after 「坂口 フミ」: the part points at the full name seen first.
            whole = next((n for n in full_names if n != key and (n.startswith(key) or n.endswith(key))), None)
            if whole is not None and (span.label, whole) in placeholders:
                key = whole
        placeholder = placeholders.get((span.label, key))
        if placeholder is None:
            counters[span.label] = counters.get(span.label, 0) + 1
            name = PLACEHOLDER_NAMES.get(span.label, span.label)
            placeholder = f"【{name}{counters[span.label]}】"
            placeholders[(span.label, key)] = placeholder
            mapping[placeholder] = surface
        between = text[cursor : span.start]
        out.append(between)
        length += len(between)
        out.append(placeholder)
        masked_spans.append(MaskedSpan(span.label, length, length + len(placeholder), placeholder))
        length += len(placeholder)
        cursor = span.end
    out.append(text[cursor:])
    return MaskedText("".join(out), mapping, tuple(masked_spans))
