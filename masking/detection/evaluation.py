"""The masking metrics: character-level recall/precision over non-space characters, and per-label
span recall where a gold span counts as masked when ≥ 90 % of its characters are masked, whatever
label was predicted (masked is what matters)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from masking.detection.labels import PiiSpan

SPAN_COVERAGE = 0.9


@dataclass(frozen=True, slots=True)
class GoldDocument:
    id: str
    style: str
    text: str
    spans: tuple[PiiSpan, ...]


@dataclass(slots=True)
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0

    @property
    def recall(self) -> float:
        return self.tp / max(self.tp + self.fn, 1)

    @property
    def precision(self) -> float:
        return self.tp / max(self.tp + self.fp, 1)


@dataclass(slots=True)
class EvalReport:
    docs: int = 0
    chars: Tally = field(default_factory=Tally)
    by_style: dict[str, Tally] = field(default_factory=dict)
    spans_total: Counter[str] = field(default_factory=Counter)
    spans_masked: Counter[str] = field(default_factory=Counter)
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # (doc id, label, surface)

    def span_recall(self, label: str) -> float:
        return self.spans_masked[label] / max(self.spans_total[label], 1)


def evaluate(gold: Sequence[GoldDocument], predicted: Sequence[Sequence[PiiSpan]]) -> EvalReport:
    report = EvalReport(docs=len(gold))
    for doc, spans in zip(gold, predicted, strict=True):
        masked = [False] * len(doc.text)
        for s in spans:
            for i in range(max(0, s.start), min(len(doc.text), s.end)):
                masked[i] = True
        in_gold = [False] * len(doc.text)
        for g in doc.spans:
            idx = [i for i in range(g.start, g.end) if not doc.text[i].isspace()]
            for i in idx:
                in_gold[i] = True
            report.spans_total[g.label] += 1
            if idx and sum(masked[i] for i in idx) / len(idx) >= SPAN_COVERAGE:
                report.spans_masked[g.label] += 1
            else:
                report.missed.append((doc.id, g.label, doc.text[g.start : g.end]))
        style = report.by_style.setdefault(doc.style, Tally())
        for i, ch in enumerate(doc.text):
            if ch.isspace():
                continue
            for tally in (report.chars, style):
                if in_gold[i] and masked[i]:
                    tally.tp += 1
                elif in_gold[i]:
                    tally.fn += 1
                elif masked[i]:
                    tally.fp += 1
    return report
