"""PII detection speed, engine load time and memory.

    .venv/bin/python benchmarks/mask_bench.py [--recognizers a,b,...] [--repeat 5]

Throughput is measured on the dev transcripts (tests/data/pii/pii_dev.jsonl) repeated ``--repeat``
times, in one detect_batch call; chars/s per core divides by the process CPU time, which is what
matters on a shared machine. Also times one ~9,000-character consultation (a 30-minute call).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

from masking.detection import DetectorConfig, build_detector

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "pii" / "pii_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recognizers", default="")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    names = tuple(n for n in args.recognizers.split(",") if n)

    t0 = time.perf_counter()
    detector = build_detector(DetectorConfig(recognizers=names) if names else None)
    build_s = time.perf_counter() - t0
    detector.detect("ウォームアップ")
    load_s = time.perf_counter() - t0

    corpus = texts * args.repeat
    chars = sum(len(t) for t in corpus)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    detector.detect_batch(corpus)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0

    consultation = "\n".join(texts)[:9000]
    c0 = time.perf_counter()
    detector.detect(consultation)
    one_s = time.perf_counter() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"machine: {platform.machine()} {platform.system()} python {platform.python_version()}")
    print(f"recognizers: {','.join(detector.config.recognizers)}")
    print(f"engine load: {build_s:.2f} s (with the first call: {load_s:.2f} s)")
    print(f"batch: {len(corpus)} texts, {chars} chars in {wall:.2f} s wall / {cpu:.2f} s CPU")
    print(f"throughput: {chars / wall:,.0f} chars/s wall, {chars / cpu:,.0f} chars/s per core (CPU time)")
    print(f"one {len(consultation)}-char consultation: {one_s:.2f} s")
    print(f"max RSS: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
