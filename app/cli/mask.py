"""``madoguchi mask``: PII detection on JSON Lines (the contract in DESIGN.md) and its evaluation."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from masking.detection import PiiDetector

app = typer.Typer(no_args_is_help=True, help="個人情報のマスキング (detection and evaluation).")

BATCH_LINES = 64


class Subset(StrEnum):
    all = "all"
    even = "even"
    odd = "odd"


RecognizersOption = Annotated[
    str, typer.Option(help="comma-separated recognizer names (default: the standard set; add ginza_ner for GiNZA NER)")
]


def _detector(recognizers: str) -> PiiDetector:
    from masking.detection import DetectorConfig, build_detector

    names = tuple(r.strip() for r in recognizers.split(",") if r.strip())
    return build_detector(DetectorConfig(recognizers=names) if names else None)


@app.command()
def predict(recognizers: RecognizersOption = "") -> None:
    """JSONL on stdin {"text"} → {"spans": [{label, start, end}], "masked_text"} per line, in order."""
    from masking.anonymize import anonymize

    detector = _detector(recognizers)
    lines = iter(sys.stdin)
    while batch := list(islice(lines, BATCH_LINES)):
        texts = [json.loads(line)["text"] if line.strip() else "" for line in batch]
        for text, spans in zip(texts, detector.detect_batch(texts), strict=True):
            out = {"spans": [s.to_dict() for s in spans], "masked_text": anonymize(text, spans).text}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()


@app.command("eval")
def evaluate_file(
    path: Annotated[Path, typer.Argument(help="gold JSONL: {id, style, text, spans:[{label,start,end}]}")],
    subset: Annotated[Subset, typer.Option(help="dev ids with even/odd numbers (generalization check)")] = Subset.all,
    show_missed: Annotated[bool, typer.Option(help="print missed gold spans (contains PII: local use only)")] = False,
    recognizers: RecognizersOption = "",
) -> None:
    """Character-level recall/precision (spaces excluded), per-label span recall, per style."""
    from masking.detection.evaluation import GoldDocument, evaluate
    from masking.detection.labels import HIGH_RISK_LABELS, PiiSpan

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if subset is not Subset.all:
        parity = 0 if subset is Subset.even else 1
        rows = [r for r in rows if int("".join(c for c in r["id"] if c.isdigit()) or 0) % 2 == parity]
    gold = [
        GoldDocument(
            r["id"],
            r.get("style", "-"),
            r["text"],
            tuple(PiiSpan(s["start"], s["end"], s["label"]) for s in r["spans"]),
        )
        for r in rows
    ]
    predicted = _detector(recognizers).detect_batch([g.text for g in gold])
    report = evaluate(gold, predicted)
    typer.echo(f"{report.docs} docs ({subset.value})")
    for label in sorted(report.spans_total):
        mark = " *" if label in HIGH_RISK_LABELS else ""
        typer.echo(
            f"  {label:22s} span recall {report.spans_masked[label]:3d}/{report.spans_total[label]:3d}"
            f" = {report.span_recall(label):.3f}{mark}"
        )
    for style, tally in sorted(report.by_style.items()):
        typer.echo(f"  style {style:12s} char recall {tally.recall:.3f}  precision {tally.precision:.3f}")
    typer.echo(f"char recall {report.chars.recall:.3f}  char precision {report.chars.precision:.3f}")
    if show_missed:
        for doc_id, label, surface in report.missed:
            typer.echo(f"  missed {doc_id} {label} {surface}")
