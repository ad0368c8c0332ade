"""Metrics of the routing against labelled messages (the same definitions as the acceptance scorer)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    windows: tuple[str, ...]  # acceptable windows, best first; empty = out of scope
    crisis: bool


@dataclass(frozen=True)
class Prediction:
    windows: tuple[str, ...]
    crisis: bool


@dataclass(frozen=True)
class RoutingMetrics:
    messages: int
    in_scope: int
    top1_acceptable: float  # first recommendation is one of the acceptable windows
    best_in_top3: float  # the best window is among the first three recommendations
    crisis_recall: float
    crisis_precision: float
    out_of_scope_total: int
    out_of_scope_accuracy: float  # out-of-scope messages left without windows

    def lines(self) -> list[str]:
        return [
            f"messages            {self.messages} ({self.in_scope} in scope, {self.out_of_scope_total} out of scope)",
            f"top-1 acceptable    {self.top1_acceptable:.3f}",
            f"best in top 3       {self.best_in_top3:.3f}",
            f"crisis recall       {self.crisis_recall:.3f}",
            f"crisis precision    {self.crisis_precision:.3f}",
            f"out-of-scope        {self.out_of_scope_accuracy:.3f}",
        ]


def score(pairs: Iterable[tuple[LabelledMessage, Prediction]]) -> RoutingMetrics:
    total = in_scope = top1 = top3 = 0
    oos_total = oos_ok = 0
    tp = fn = fp = 0
    for gold, predicted in pairs:
        total += 1
        if gold.crisis and predicted.crisis:
            tp += 1
        elif gold.crisis:
            fn += 1
        elif predicted.crisis:
            fp += 1
        if not gold.windows:
            oos_total += 1
            oos_ok += not predicted.windows
            continue
        in_scope += 1
        top1 += bool(predicted.windows) and predicted.windows[0] in gold.windows
        top3 += gold.windows[0] in predicted.windows[:3]
    return RoutingMetrics(
        messages=total,
        in_scope=in_scope,
        top1_acceptable=top1 / max(in_scope, 1),
        best_in_top3=top3 / max(in_scope, 1),
        crisis_recall=tp / max(tp + fn, 1),
        crisis_precision=tp / max(tp + fp, 1),
        out_of_scope_total=oos_total,
        out_of_scope_accuracy=oos_ok / max(oos_total, 1),
    )
