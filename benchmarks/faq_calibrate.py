"""Calibrate the FAQ matcher's decision thresholds on a labelled set, with a split-half check.

    .venv/bin/python benchmarks/faq_calibrate.py tests/data/faq/faq_dev.jsonl            # report only
    .venv/bin/python benchmarks/faq_calibrate.py tests/data/faq/faq_dev.jsonl --write    # + faq/data/thresholds.yaml

Objective (in this order): wrong-answer rate ≤ --max-wrong and out-of-scope transferred ≥ --min-oos as
hard limits, clarify rate ≤ --max-clarify (a bot that asks about everything is not answering), then the
highest in-scope top-1, then the fewest clarifications, then the strictest answer thresholds and the
lowest clarify threshold (asking costs a turn; transferring an answerable call costs a staff member).

The split check tunes on one half of the lines (alternate lines within each style) and reports the
other half, both ways round: a large drop means the thresholds are fitted to the particular lines.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faq import FaqMatcher, load_kb
from faq.config import DEFAULT_THRESHOLDS_PATH, dump_thresholds
from faq.evaluation import Example, Report, load_examples, prediction, score
from faq.model import Decision, Thresholds
from faq.ranker import Ranking

ANSWER = [0.06, 0.08, 0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.16, 0.18, 0.20]
MARGIN = [0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40]
CLARIFY = [0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10]
CLARIFY_MARGIN = [0.15]  # only chooses between either/or and yes/no wording, not the action
TOPIC_MARGIN = [0.0, 0.2, 0.3, 0.4]


@dataclass
class Prepared:
    """Per example: a decision that needs no thresholds, or the ranking to decide on."""

    early: Decision | None
    ranking: Ranking | None


def prepare(matcher: FaqMatcher, examples: Sequence[Example]) -> list[Prepared]:
    out = []
    for example in examples:
        early = matcher.screen(example.text)
        out.append(Prepared(early, None if early else matcher.ranker.rank(example.text)))
    return out


def run(matcher: FaqMatcher, prepared: Sequence[Prepared], examples: Sequence[Example], t: Thresholds) -> Report:
    predictions = []
    for item in prepared:
        decision = item.early or matcher.decide_ranking(item.ranking, t)  # type: ignore[arg-type]
        predictions.append(prediction(decision))
    return score(examples, predictions, matcher.kb)


def calibrate(
    matcher: FaqMatcher,
    prepared: Sequence[Prepared],
    examples: Sequence[Example],
    *,
    max_wrong: float,
    min_oos: float,
    max_clarify: float,
) -> tuple[Thresholds, Report]:
    best: tuple[tuple[float, ...], Thresholds, Report] | None = None
    grid = itertools.product(ANSWER, MARGIN, CLARIFY, CLARIFY_MARGIN, TOPIC_MARGIN)
    for answer, margin, clarify, clarify_margin, topic_margin in grid:
        if clarify > answer:
            continue
        t = Thresholds(
            answer=answer, margin=margin, clarify=clarify, clarify_margin=clarify_margin, topic_margin=topic_margin
        )
        report = run(matcher, prepared, examples, t)
        feasible = (
            report.wrong_answer_rate <= max_wrong
            and report.oos_transferred >= min_oos
            and report.clarify_rate <= max_clarify
        )
        key = (
            float(feasible),
            report.in_scope_top1,
            -report.clarify_rate,
            -report.wrong_answer_rate,
            answer + margin,
            topic_margin,
            -clarify,
        )
        if best is None or key > best[0]:
            best = (key, t, report)
    assert best is not None
    return best[1], best[2]


def split(examples: Sequence[Example]) -> tuple[list[int], list[int]]:
    seen: dict[str, int] = {}
    first: list[int] = []
    second: list[int] = []
    for i, example in enumerate(examples):
        n = seen.get(example.style, 0)
        seen[example.style] = n + 1
        (first if n % 2 == 0 else second).append(i)
    return first, second


def line(name: str, r: Report) -> str:
    return (
        f"{name:30s} in-scope top-1 {r.in_scope_top1:.3f}  wrong {r.wrong_answer_rate:.3f}  "
        f"oos/human transferred {r.oos_transferred:.3f}  clarify rate {r.clarify_rate:.3f}  (n={r.lines})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--kb", type=Path, default=None)
    parser.add_argument("--max-wrong", type=float, default=0.02)
    parser.add_argument("--min-oos", type=float, default=0.92)
    parser.add_argument("--max-clarify", type=float, default=0.25)
    parser.add_argument("--write", action="store_true", help="write the thresholds tuned on all lines")
    args = parser.parse_args()

    kb = load_kb(args.kb) if args.kb else load_kb()
    matcher = FaqMatcher(kb, Thresholds())
    examples = load_examples(args.file)
    prepared = prepare(matcher, examples)
    limits = {"max_wrong": args.max_wrong, "min_oos": args.min_oos, "max_clarify": args.max_clarify}

    a, b = split(examples)
    for name, tune, held in (("A", a, b), ("B", b, a)):
        ex_t, pr_t = [examples[i] for i in tune], [prepared[i] for i in tune]
        ex_h, pr_h = [examples[i] for i in held], [prepared[i] for i in held]
        t, report = calibrate(matcher, pr_t, ex_t, **limits)
        print(f"tuned on half {name}: {t}")
        print("  " + line(f"half {name} (tuned on)", report))
        print("  " + line("other half (held out)", run(matcher, pr_h, ex_h, t)))
    t, report = calibrate(matcher, prepared, examples, **limits)
    print(f"tuned on all lines: {t}")
    print("  " + line("all lines", report))
    if args.write:
        comment = (
            f"Calibrated by benchmarks/faq_calibrate.py on {args.file.name} ({len(examples)} lines):\n"
            f"wrong-answer ≤ {args.max_wrong}, out-of-scope transferred ≥ {args.min_oos}, "
            f"clarify rate ≤ {args.max_clarify}, then best in-scope top-1.\n"
            f"Scores are the ranker's mixed BM25 (faq/ranker.py); margins are relative (1 − second/best)."
        )
        DEFAULT_THRESHOLDS_PATH.write_text(dump_thresholds(t, comment=comment), encoding="utf-8")
        print(f"wrote {DEFAULT_THRESHOLDS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
