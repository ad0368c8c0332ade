"""Metrics of the matcher on a labelled JSONL set (``{"text", "faq_id" | null, "style"}`` per line).

Counted the way the acceptance scorer counts them:

* in-scope top-1: the predicted FAQ is the gold one and the bot acts on it — answers, asks a clarifying
  question with it as the first option, or transfers because it is a ``transfer: true`` FAQ;
* wrong-answer rate: lines (of all lines) where the bot answers with an FAQ other than the gold one;
* out-of-scope/human-request transferred: lines with gold null that the bot does not answer.

Also: clarify rate (how often the bot asks instead of answering), per-style breakdown, latency.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faq.model import Decision, KnowledgeBase


@dataclass(frozen=True)
class Example:
    text: str
    faq_id: str | None
    style: str = "?"


def load_examples(path: str | Path) -> list[Example]:
    examples = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                examples.append(Example(text=raw["text"], faq_id=raw.get("faq_id"), style=raw.get("style", "?")))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a {{text, faq_id}} JSON line: {exc}") from exc
    return examples


def prediction(decision: Decision) -> dict[str, Any]:
    """The ``faq predict`` record: ``faq_id`` is set when the bot acts on an FAQ (answer, clarify with it
    first, or a transfer because the FAQ is answered by staff), else null."""
    acts_on_faq = decision.action in ("answer", "clarify") or decision.reason == "transfer_faq"
    return {
        "faq_id": decision.faq_id if acts_on_faq else None,
        "score": round(decision.score, 4),
        "action": decision.action,
    }


@dataclass
class StyleCount:
    lines: int = 0
    in_scope: int = 0
    correct: int = 0
    out_of_scope: int = 0
    transferred: int = 0
    wrong: int = 0


@dataclass
class Report(StyleCount):
    """The whole run: the same counts as one style, plus what is only reported overall."""

    clarified: int = 0
    answered: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    by_style: dict[str, StyleCount] = field(default_factory=lambda: defaultdict(StyleCount))
    errors: list[tuple[Example, dict[str, Any]]] = field(default_factory=list)

    @property
    def in_scope_top1(self) -> float:
        return self.correct / self.in_scope if self.in_scope else 0.0

    @property
    def wrong_answer_rate(self) -> float:
        return self.wrong / self.lines if self.lines else 0.0

    @property
    def oos_transferred(self) -> float:
        return self.transferred / self.out_of_scope if self.out_of_scope else 1.0

    @property
    def clarify_rate(self) -> float:
        return self.clarified / self.lines if self.lines else 0.0

    def latency(self, percentile: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(percentile / 100 * len(ordered)) - 1))
        return ordered[index]

    def meets(self, min_in_scope: float = 0.92, max_wrong: float = 0.03, min_oos: float = 0.90) -> bool:
        return (
            self.in_scope_top1 >= min_in_scope
            and self.wrong_answer_rate <= max_wrong
            and self.oos_transferred >= min_oos
        )

    def format(self) -> str:
        lines = []
        for style, c in sorted(self.by_style.items()):
            parts = [f"  style {style:14s} lines {c.lines:3d}"]
            if c.in_scope:
                parts.append(f"in-scope top-1 {c.correct}/{c.in_scope} = {c.correct / c.in_scope:.3f}")
            if c.out_of_scope:
                parts.append(f"transferred {c.transferred}/{c.out_of_scope} = {c.transferred / c.out_of_scope:.3f}")
            parts.append(f"wrong answers {c.wrong}")
            lines.append("  ".join(parts))
        lines.append(
            f"in-scope top-1 {self.in_scope_top1:.3f} ({self.correct}/{self.in_scope}), "
            f"wrong-answer rate {self.wrong_answer_rate:.3f} ({self.wrong}/{self.lines}), "
            f"out-of-scope/human-request transferred {self.oos_transferred:.3f} "
            f"({self.transferred}/{self.out_of_scope})"
        )
        lines.append(
            f"answered {self.answered}/{self.lines}, clarified {self.clarified}/{self.lines} "
            f"(clarify rate {self.clarify_rate:.3f})"
        )
        lines.append(
            f"latency per utterance: p50 {self.latency(50):.2f} ms, p95 {self.latency(95):.2f} ms "
            f"(n={len(self.latencies_ms)})"
        )
        return "\n".join(lines)


def score(examples: Sequence[Example], predictions: Iterable[dict[str, Any]], kb: KnowledgeBase) -> Report:
    """Count metrics for ``predictions`` (``faq predict`` records) against ``examples``."""
    report = Report()
    for example, predicted in zip(examples, predictions, strict=True):
        style = report.by_style[example.style]
        report.lines += 1
        style.lines += 1
        faq_id, action = predicted.get("faq_id"), predicted.get("action", "answer")
        answered = faq_id is not None and action == "answer"
        report.answered += action == "answer"
        report.clarified += action == "clarify"
        if example.faq_id is None:
            report.out_of_scope += 1
            style.out_of_scope += 1
            report.transferred += not answered
            style.transferred += not answered
            report.wrong += answered
            style.wrong += answered
            if answered:
                report.errors.append((example, predicted))
            continue
        gold = kb.get(example.faq_id)
        ok = faq_id == example.faq_id and (
            action in ("answer", "clarify") or (gold is not None and gold.transfer)
        )
        report.in_scope += 1
        style.in_scope += 1
        report.correct += ok
        style.correct += ok
        report.wrong += answered and not ok
        style.wrong += answered and not ok
        if not ok:
            report.errors.append((example, predicted))
    return report


def evaluate(matcher: Any, examples: Sequence[Example]) -> Report:
    """Run ``matcher.decide`` on every example (timed) and score the predictions."""
    predictions = []
    latencies = []
    for example in examples:
        start = time.perf_counter()
        decision = matcher.decide(example.text)
        latencies.append((time.perf_counter() - start) * 1000)
        predictions.append(prediction(decision))
    report = score(examples, predictions, matcher.kb)
    report.latencies_ms = latencies
    return report
