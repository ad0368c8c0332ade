"""What every Japanese recognizer shares: the normalized view, number runs, context windows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from masking.detection.numerals import NormalizedText, normalize

# Separators people type or say between digit groups: hyphens of every width, 「の」, 「・」, dots.
SEP = r"[ \u3000]*(?:[-‐‑−－ー―─・.．()（）]|の|ハイフン|はいふん|ダッシュ)[ \u3000]*"
_NUMBER_RUN = re.compile(rf"(?<![\d])\d+(?:(?:{SEP})\d+)*(?![\d])")


_PLACEHOLDER = re.compile(r"【[^】\n]{1,16}】")


@dataclass(frozen=True, slots=True)
class NumberRun:
    """Digits with separators, found in the normalized text, mapped back to the original."""

    start: int  # original offsets
    end: int
    digits: str
    groups: tuple[int, ...]  # lengths of the digit groups (3-4 for a postal code …)
    norm_start: int
    norm_end: int
    quantity: bool  # said or written as an amount (六万五千, じゅう に): never an identifier


_POSITIONAL = re.compile(r"[十百千万]|じゅう|じゅっ|ひゃく|びゃく|ぴゃく|せん|ぜん|まん|ジュウ|ヒャク|セン|マン")


@lru_cache(maxsize=16)
def number_runs(text: str) -> tuple[NumberRun, ...]:
    """Every run of digits in ``text`` (identifier candidates first need ``not run.quantity``)."""
    norm = normalize(text)
    # Placeholders of already-masked text (【電話番号1】) carry digits that identify nothing.
    placeholders = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    runs = []
    for m in _NUMBER_RUN.finditer(norm.text):
        start, end = norm.to_original(m.start(), m.end())
        if any(a <= start < b for a, b in placeholders):
            continue
        groups = tuple(len(g) for g in re.findall(r"\d+", m.group()))
        digits = re.sub(r"\D", "", m.group())
        quantity = bool(_POSITIONAL.search(text[start:end]))
        runs.append(NumberRun(start, end, digits, groups, m.start(), m.end(), quantity))
    return tuple(runs)


def before(text: str, pos: int, lines: int = 1, limit: int = 60) -> str:
    """Text before ``pos`` on its line and the ``lines`` lines above it (at most ``limit`` chars)."""
    begin = text.rfind("\n", 0, pos) + 1
    for _ in range(lines):
        if begin == 0:
            break
        begin = text.rfind("\n", 0, begin - 1) + 1
    return text[max(begin, pos - limit) : pos]


def after(text: str, pos: int, limit: int = 12) -> str:
    """Text after ``pos`` up to the end of its line."""
    nl = text.find("\n", pos)
    return text[pos : min(nl if nl >= 0 else len(text), pos + limit)]


def has_cue(window: str, cues: Iterable[str]) -> bool:
    """Substring matching: Japanese has no word boundaries (電話番号 contains 電話); spaces are
    removed first so the vosk style (電話 番号) matches too."""
    squeezed = re.sub(r"\s+", "", window)
    return any(cue in squeezed for cue in cues)


class JaRecognizer(EntityRecognizer):
    """A Presidio recognizer for Japanese text; subclasses implement :meth:`find`."""

    ENTITIES: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        super().__init__(supported_entities=list(self.ENTITIES), supported_language="ja")

    def load(self) -> None:  # nothing to load: patterns are compiled at import
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        wanted = set(entities) if entities else set(self.ENTITIES)
        return [r for r in self.find(text, nlp_artifacts) if r.entity_type in wanted]

    def find(self, text: str, nlp_artifacts: NlpArtifacts | None) -> Iterable[RecognizerResult]:
        raise NotImplementedError

    def result(self, label: str, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity_type=label,
            start=start,
            end=end,
            score=score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: type(self).__name__,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )

    @staticmethod
    def normalized(text: str) -> NormalizedText:
        return normalize(text)
