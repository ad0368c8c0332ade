"""FAQ matcher cost: index build time, memory and per-utterance latency as the KB grows.

    .venv/bin/python benchmarks/faq_bench.py                       # 87 (real KB), 1000, 3000, 10000 FAQs
    .venv/bin/python benchmarks/faq_bench.py --sizes 87 10000 --repeat 3

The synthetic KBs are made from the real one: each synthetic FAQ takes a real FAQ's texts and swaps
its nouns for nouns drawn from the whole KB, so the vocabulary stays that of a tax office and the
postings lists grow with the KB (a pessimistic case for an inverted index: no new rare words).
Queries are the development utterances (tests/data/faq/faq_dev.jsonl), each run --repeat times;
latency is ``FaqMatcher.decide`` end to end (normalization, tokenization, ranking, decision).
Memory is the growth of the process's resident set while the matcher is built (after the tokenizer
is loaded). Wall-clock latency includes waiting for a CPU on a busy machine; CPU time (per-process
CPU clock) does not, so both are shown.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faq import FaqMatcher, KnowledgeBase, load_kb  # noqa: E402
from faq.analysis import default_analyzer  # noqa: E402
from faq.evaluation import load_examples  # noqa: E402


def synthetic_kb(base: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    if size <= len(base):
        return replace(base, faqs=base.faqs[:size])
    rng = random.Random(seed)
    analyzer = default_analyzer()
    nouns_of = {f.id: sorted(set(analyzer.nouns(" ".join(f.texts)))) for f in base}
    pool = sorted({n for nouns in nouns_of.values() for n in nouns})
    faqs = list(base.faqs)
    while len(faqs) < size:
        source = base.faqs[rng.randrange(len(base))]
        swap = {n: rng.choice(pool) for n in nouns_of[source.id] if rng.random() < 0.6}

        def rewrite(text: str, swap: dict[str, str] = swap) -> str:
            for old, new in swap.items():
                text = text.replace(old, new)
            return text

        faqs.append(
            replace(
                source,
                id=f"SYN-{len(faqs):05d}",
                question=rewrite(source.question),
                variants=tuple(rewrite(v) for v in source.variants),
                answer_text=rewrite(source.answer_text),
                transfer=False,
            )
        )
    return KnowledgeBase(faqs=tuple(faqs), city="synthetic")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[87, 1000, 3000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    base = load_kb()
    texts = [e.text for e in load_examples(ROOT / "tests" / "data" / "faq" / "faq_dev.jsonl")]
    default_analyzer().analyze("住民税の納期はいつですか")  # load the tokenizer outside the timings

    print(
        f"{'FAQs':>6} {'texts':>7} {'build s':>8} {'build CPU s':>11} {'RSS +MB':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'CPU p50':>8} {'CPU p95':>8}"
    )
    for size in args.sizes:
        kb = synthetic_kb(base, size)
        gc.collect()
        before = rss_mb()
        start, start_cpu = time.perf_counter(), time.process_time()
        matcher = FaqMatcher(kb)
        build, build_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        grown = rss_mb() - before
        wall, cpu = [], []
        for _ in range(args.repeat):
            for text in texts:
                t0, c0 = time.perf_counter(), time.process_time()
                matcher.decide(text)
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - t0) * 1000)
        n_texts = sum(1 + len(f.variants) for f in kb)
        print(
            f"{size:>6} {n_texts:>7} {build:>8.2f} {build_cpu:>11.2f} {grown:>8.1f} "
            f"{statistics.median(wall):>7.2f} {percentile(wall, 95):>7.2f} "
            f"{statistics.median(cpu):>8.2f} {percentile(cpu, 95):>8.2f}",
            flush=True,
        )
        del matcher
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
