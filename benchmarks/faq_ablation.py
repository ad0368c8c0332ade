"""Ranker ablations: top-1 and MRR of the FAQ ranking on a labelled set (in-scope lines only).

    .venv/bin/python benchmarks/faq_ablation.py tests/data/faq/faq_dev.jsonl

This measures the ranking alone (is the gold FAQ first among the FAQs?), before any threshold, so
configurations are compared without recalibrating each. Halves A/B are the alternate lines within each
style (as in faq_calibrate.py): the defaults were chosen on all lines, so a configuration that wins
on both halves is less likely to be fitted to particular lines.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faq import load_kb
from faq.analysis import Analyzer, default_analyzer
from faq.evaluation import Example, load_examples
from faq.ranker import Ranker, RankerParams
from faq.scope import load_scope

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faq_calibrate import split


def ranking_metrics(ranker: Ranker, examples: list[Example]) -> tuple[float, float]:
    ids = [f.id for f in ranker.faqs]
    hits = reciprocal = 0.0
    n = 0
    for example in examples:
        if example.faq_id is None:
            continue
        ranking = ranker.rank(example.text)
        order = [ids[i] for i in ranking.order if i < len(ids)]
        rank = order.index(example.faq_id) + 1
        hits += rank == 1
        reciprocal += 1 / rank
        n += 1
    return hits / n, reciprocal / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    kb = load_kb()
    scope = load_scope()
    examples = load_examples(args.file)
    half_a, half_b = split(examples)
    default = RankerParams()
    weights = dict(default.family_weights)
    plain = Analyzer(synonyms_path=None)
    configs: list[tuple[str, RankerParams, Analyzer]] = [
        ("default (BM25, all families)", default, default_analyzer()),
        ("TF-IDF cosine instead of BM25", replace(default, scheme="tfidf"), default_analyzer()),
        ("words only (w)", replace(default, family_weights={"w": 1.0}), default_analyzer()),
        ("readings only (r, k)", replace(default, family_weights={"r": 0.3, "k": 0.1}), default_analyzer()),
        ("char bigrams only (c)", replace(default, family_weights={"c": 1.0}), default_analyzer()),
        ("without readings (r, k)", replace(default, family_weights={**weights, "r": 0, "k": 0}), default_analyzer()),
        ("without char bigrams (c)", replace(default, family_weights={**weights, "c": 0.0}), default_analyzer()),
        ("plus SudachiDict synonym groups (g)", replace(default, family_weights={**weights, "g": 0.1}),
         default_analyzer()),
        ("without the tax synonym table", default, plain),
        ("without KB terms read by reading", replace(default, term_weight=0.0), default_analyzer()),
        ("without the tax-topic penalty", replace(default, topic_penalty=0.0), default_analyzer()),
        ("without the question-word bonus", replace(default, question_bonus=0.0), default_analyzer()),
        ("best text only (alpha=1)", replace(default, alpha=1.0), default_analyzer()),
        ("whole FAQ only (alpha=0)", replace(default, alpha=0.0), default_analyzer()),
        ("without answer text", replace(default, answer_weight=0.0), default_analyzer()),
    ]
    print(f"{'configuration':48s} {'top-1':>6} {'MRR':>6} {'top-1 A':>8} {'top-1 B':>8}")
    for name, params, analyzer in configs:
        ranker = Ranker(kb.faqs, scope, analyzer, params)
        top1, mrr = ranking_metrics(ranker, examples)
        a, _ = ranking_metrics(ranker, [examples[i] for i in half_a])
        b, _ = ranking_metrics(ranker, [examples[i] for i in half_b])
        print(f"{name:48s} {top1:>6.3f} {mrr:>6.3f} {a:>8.3f} {b:>8.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
