"""PiiDetector: one Presidio engine per process, reused for every text."""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine, RecognizerResult

from masking.detection.engine import LANGUAGE, build_analyzer
from masking.detection.labels import HIGH_RISK_LABELS, PERSON, PiiSpan
from masking.detection.recognizers import DEFAULT_RECOGNIZERS
from masking.detection.recognizers.words import FUNCTION_WORDS, NOT_NAMES, spaced_document

log = logging.getLogger(__name__)

# Sudachi refuses input over 49,149 bytes; chunks stay well below it and end at a line break.
MAX_CHUNK_BYTES = 40_000


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    recognizers: tuple[str, ...] = DEFAULT_RECOGNIZERS
    model_name: str = "ja_ginza"
    score_threshold: float = 0.5
    batch_size: int = 16


def chunks(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> list[tuple[int, str]]:
    """Split at line breaks into pieces Sudachi accepts, each with its offset in ``text``."""
    if len(text.encode("utf-8")) <= max_bytes:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = size = 0
    for i, ch in enumerate(text):
        width = len(ch.encode("utf-8"))
        if size + width > max_bytes:
            cut = text.rfind("\n", start, i) + 1
            cut = cut if cut > start else i  # one enormous line: cut anywhere
            pieces.append((start, text[start:cut]))
            start, size = cut, len(text[cut:i].encode("utf-8"))
        size += width
    pieces.append((start, text[start:]))
    return [(offset, piece) for offset, piece in pieces if piece]


class PiiDetector:
    def __init__(self, analyzer: AnalyzerEngine, config: DetectorConfig) -> None:
        self.analyzer = analyzer
        self.config = config
        self._batch = BatchAnalyzerEngine(analyzer_engine=analyzer)
        # GiNZA's tokenizer (SudachiPy) must not be used by two threads at once, and one detector serves the
        # whole process (the chat gateway answers in a thread pool; jobs may run beside it)
        self._lock = threading.Lock()

    def detect(self, text: str) -> list[PiiSpan]:
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Sequence[str]) -> list[list[PiiSpan]]:
        """Spans per text, offsets into the original text; texts go through nlp.pipe together."""
        owners: list[int] = []
        offsets: list[int] = []
        pieces: list[str] = []
        for index, text in enumerate(texts):
            for offset, piece in chunks(text):
                owners.append(index)
                offsets.append(offset)
                pieces.append(piece)
        raw: list[list[PiiSpan]] = [[] for _ in texts]
        if pieces:
            with self._lock:  # held while the lazy iterator runs the pipeline
                results: Iterable[list[RecognizerResult]] = self._batch.analyze_iterator(
                    pieces,
                    language=LANGUAGE,
                    batch_size=self.config.batch_size,
                    score_threshold=self.config.score_threshold,
                )
                for owner, offset, found in zip(owners, offsets, results, strict=True):
                    raw[owner].extend(
                        PiiSpan(r.start + offset, r.end + offset, r.entity_type, round(r.score, 3)) for r in found
                    )
        spans = [finalize(text, found) for text, found in zip(texts, raw, strict=True)]
        log.info("PII detection: %d texts, %s", len(texts), dict(Counter(s.label for doc in spans for s in doc)))
        return spans

    def high_risk(self, text: str) -> list[PiiSpan]:
        """Identifiers that must never reach an LLM (the re-scan right before summarization)."""
        return [s for s in self.detect(text) if s.label in HIGH_RISK_LABELS]


def finalize(text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    spans = [s for s in (_trim(text, s) for s in spans) if s is not None]
    spans.extend(_propagate_names(text, spans))
    return merge(spans)


def _trim(text: str, span: PiiSpan) -> PiiSpan | None:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return PiiSpan(start, end, span.label, span.score) if end > start else None


def merge(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Overlapping spans become one; its label is the one with the best score (then the longest)."""
    merged: list[PiiSpan] = []
    best: PiiSpan | None = None
    for span in sorted(spans):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            assert best is not None
            if (span.score, span.end - span.start) > (best.score, best.end - best.start):
                best = span
            merged[-1] = PiiSpan(last.start, max(last.end, span.end), best.label, best.score)
        else:
            best = span
            merged.append(span)
    return merged


_SPLIT = re.compile(r"[ \u3000・]+")


def _propagate_names(text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    """A name found once is masked everywhere in the document (「坂口さん」 after 「坂口 フミ」)."""
    spoken = spaced_document(text)
    surfaces: set[str] = set()
    short_given: set[str] = set()  # 翔, 誠: only before an honorific or a particle
    for span in spans:
        if span.label != PERSON:
            continue
        surface = text[span.start : span.end]
        surfaces.add(surface)
        parts = [p for p in _SPLIT.split(surface) if p]
        if len(parts) > 1:
            surfaces.update(p for p in parts if len(p) >= 2 and p not in FUNCTION_WORDS and p not in NOT_NAMES)
            short_given.update(p for p in parts[1:] if len(p) == 1 and _WORD_CHAR.match(p))
    found: list[PiiSpan] = []
    for surface in surfaces:
        for m in re.finditer(re.escape(surface), text):
            if _bounded(text, m.start(), m.end(), spoken):
                found.append(PiiSpan(m.start(), m.end(), PERSON, 0.6))
    for name in short_given:
        for m in re.finditer(
            rf"(?<![一-龥々ァ-ヺー]){re.escape(name)}(?=さん|くん|ちゃん|様|は|が|も|を|に|と|の|、|。)", text
        ):
            found.append(PiiSpan(m.start(), m.end(), PERSON, 0.55))
    return found


_WORD_CHAR = re.compile(r"[一-龥々ァ-ヺー]")


def _bounded(text: str, start: int, end: int, spoken: bool) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if spoken:
        return before.isspace() and after.isspace()
    if _WORD_CHAR.match(text[start]) and _WORD_CHAR.match(before):
        return False
    return not (_WORD_CHAR.match(text[end - 1]) and _WORD_CHAR.match(after))


def build_detector(config: DetectorConfig | None = None) -> PiiDetector:
    """Build the engine once (≈2 s: GiNZA load); reuse the detector for every text."""
    config = config or DetectorConfig()
    return PiiDetector(build_analyzer(config.recognizers, config.model_name), config)
