"""Accuracy floors on the development set (copied from the shared data) and on a small set written
after the rules (different people, numbers and places). Accuracy only; timings live in benchmarks/."""

from __future__ import annotations

import pytest

from masking.detection import HIGH_RISK_LABELS, PiiDetector
from masking.detection.evaluation import EvalReport, GoldDocument, evaluate
from masking.detection.labels import PiiSpan
from tests.masking.conftest import load_jsonl


def _report(detector: PiiDetector, name: str) -> EvalReport:
    rows = load_jsonl(name)
    gold = [
        GoldDocument(
            r["id"], r["style"], r["text"], tuple(PiiSpan(s["start"], s["end"], s["label"]) for s in r["spans"])
        )
        for r in rows
    ]
    return evaluate(gold, detector.detect_batch([g.text for g in gold]))


@pytest.mark.parametrize("name", ["pii_dev.jsonl", "pii_fresh.jsonl"])
def test_metric_floors(detector: PiiDetector, name: str) -> None:
    report = _report(detector, name)
    assert report.chars.recall >= 0.97
    assert report.chars.precision >= 0.85
    for label in HIGH_RISK_LABELS & set(report.spans_total):
        assert report.span_recall(label) >= 0.98, label
    assert report.span_recall("PERSON") >= 0.95
    assert report.span_recall("LOCATION") >= 0.90
    assert report.by_style["vosk"].recall >= 0.95


def test_fresh2_floors(detector: PiiDetector) -> None:
    """pii_fresh2 (30 docs written blind: before fixes char recall 0.846 / precision 0.986). Floors are
    the after-fix numbers minus a margin; precision counts the unlabelled ID numbers (在留カード …)
    the detector now masks on purpose, so it sits below the other sets."""
    report = _report(detector, "pii_fresh2.jsonl")
    assert report.chars.recall >= 0.98
    assert report.chars.precision >= 0.93
    for label in HIGH_RISK_LABELS & set(report.spans_total):
        assert report.span_recall(label) >= 0.98, label
    assert report.span_recall("PERSON") >= 0.95
    assert report.span_recall("LOCATION") >= 0.95
    for style in ("gather", "vosk", "staff_note"):
        assert report.by_style[style].recall >= 0.97, style


def test_fresh2_unlabelled_identifiers_are_masked(detector: PiiDetector) -> None:
    rows = load_jsonl("pii_fresh2.jsonl")
    wanted = ["EK40172958GA", "TR6042187", "30718264951", "HN58203917QD", "FJ4098271", "301804123450"]
    for surface in wanted:
        row = next(r for r in rows if surface in r["text"])
        start = row["text"].index(surface)
        labels = {s.label for s in detector.detect(row["text"]) if s.start <= start and start + len(surface) <= s.end}
        assert labels == {"ID_NUMBER"}, surface


def test_evaluate_counts_a_span_masked_at_ninety_percent() -> None:
    text = "あいうえおかきくけこ"
    gold = [GoldDocument("x", "gather", text, (PiiSpan(0, 10, "PERSON"),))]
    assert evaluate(gold, [[PiiSpan(0, 9, "LOCATION")]]).span_recall("PERSON") == 1.0
    assert evaluate(gold, [[PiiSpan(0, 8, "PERSON")]]).span_recall("PERSON") == 0.0
