"""Mask spans of one transcript version, and the edits a reviewer makes to them (pure functions).

Spans are offsets into the RAW transcript; the masked text is derived from them with
``masking.anonymize``. Keeping raw offsets makes unmasking exact and lets a reviewer's new mask
swallow neighbouring masks without renumbering by hand.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from masking.anonymize import PLACEHOLDER_NAMES, MaskedText, anonymize
from masking.detection import ALL_LABELS, PiiSpan
from masking.errors import ReviewConflict

DETECTOR = "detector"
REVIEWER = "reviewer"


@dataclass(frozen=True, slots=True, order=True)
class MaskSpan:
    start: int
    end: int
    label: str
    origin: str = DETECTOR

    def to_pii(self) -> PiiSpan:
        return PiiSpan(start=self.start, end=self.end, label=self.label)


def from_detected(spans: list[PiiSpan]) -> list[MaskSpan]:
    return normalize([MaskSpan(s.start, s.end, s.label, DETECTOR) for s in spans])


def normalize(spans: list[MaskSpan]) -> list[MaskSpan]:
    """Sorted, non-overlapping: overlapping spans merge (a reviewer's span wins the label)."""
    out: list[MaskSpan] = []
    for span in sorted(spans):
        if span.end <= span.start:
            continue
        if out and span.start < out[-1].end:
            last = out[-1]
            keep = span if span.origin == REVIEWER and last.origin != REVIEWER else last
            out[-1] = MaskSpan(last.start, max(last.end, span.end), keep.label, keep.origin)
        else:
            out.append(span)
    return out


def dumps(spans: list[MaskSpan]) -> str:
    return json.dumps([asdict(s) for s in spans], separators=(",", ":"))


def loads(text: str) -> list[MaskSpan]:
    return [MaskSpan(**item) for item in json.loads(text)]


def mask(raw: str, spans: list[MaskSpan]) -> MaskedText:
    return anonymize(raw, [s.to_pii() for s in spans])


def text_hash(masked_text: str) -> str:
    return hashlib.sha256(masked_text.encode("utf-8")).hexdigest()


def without(spans: list[MaskSpan], index: int) -> tuple[list[MaskSpan], MaskSpan]:
    if not 0 <= index < len(spans):
        raise ReviewConflict("指定されたマスクが見つかりません。画面を再読み込みしてください。")
    return spans[:index] + spans[index + 1 :], spans[index]


def with_added(raw: str, spans: list[MaskSpan], start: int, end: int, label: str) -> list[MaskSpan]:
    if label not in ALL_LABELS:
        raise ReviewConflict("マスクの種類を選んでください。")
    # trim whitespace the selection may have caught at its edges
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    if not 0 <= start < end <= len(raw):
        raise ReviewConflict("マスクする文字列を選択してください。")
    return normalize([*spans, MaskSpan(start, end, label, REVIEWER)])


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the review page: plain text (``index`` None) or one mask with its placeholder."""

    text: str
    start: int  # raw offset where this piece begins
    end: int
    index: int | None = None
    label: str = ""
    label_name: str = ""
    origin: str = ""


def segments(raw: str, spans: list[MaskSpan], masked: MaskedText) -> list[Segment]:
    """Plain text between masks, and each mask shown as its placeholder (never its original text)."""
    placeholders = [m.placeholder for m in masked.spans]
    out: list[Segment] = []
    cursor = 0
    for index, (span, placeholder) in enumerate(zip(spans, placeholders, strict=True)):
        if span.start > cursor:
            out.append(Segment(raw[cursor : span.start], cursor, span.start))
        out.append(Segment(placeholder, span.start, span.end, index, span.label,
                           PLACEHOLDER_NAMES.get(span.label, span.label), span.origin))
        cursor = span.end
    if cursor < len(raw):
        out.append(Segment(raw[cursor:], cursor, len(raw)))
    return out


def masked_to_raw(spans: list[MaskSpan], masked: MaskedText, start: int, end: int) -> tuple[int, int]:
    """Raw offsets of a range of the masked text (a range touching a placeholder covers its whole span)."""

    def convert(offset: int, is_end: bool) -> int:
        shift = 0
        for span, placed in zip(spans, masked.spans, strict=True):
            if offset < placed.start:
                break
            if offset < placed.end or (is_end and offset == placed.end):
                return span.end if is_end else span.start
            shift = span.end - placed.end
        return offset + shift

    return convert(start, False), convert(end, True)
