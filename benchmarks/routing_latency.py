"""Welfare routing gateway latency: POST /api/routing/chat with real masking (GiNZA) and a real Rasa server.

    make rasa &   # or any running server at MADOGUCHI_RASA_URL
    .venv/bin/python -m benchmarks.routing_latency --messages 100 --concurrency 1 4

In process (Starlette TestClient + threads), so it measures masking + crisis layer + two Rasa calls,
not uvicorn. The messages are the development set's (synthetic) texts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.settings import Settings
from core.web.ratelimit import Limit, SlidingWindowLimiter
from routing.web import router

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "routing" / "routing_dev.jsonl"


class Unlimited(SlidingWindowLimiter):
    """The benchmark sends faster than a resident could; rate limits are not what is measured."""

    def retry_after(self, scope: str, key: str, limit: Limit) -> float:
        return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    texts = (texts * (args.messages // len(texts) + 1))[: args.messages]
    app = FastAPI()
    app.state.settings = Settings()
    app.state.rate_limiter = Unlimited()
    app.include_router(router)
    with TestClient(app) as client:
        started = time.perf_counter()
        client.post("/api/routing/chat", json={"session_id": uuid.uuid4().hex, "message": "こんにちは"})
        print(f"first message (builds masker + client): {time.perf_counter() - started:.1f} s")

        def one(text: str) -> float:
            t0 = time.perf_counter()
            response = client.post("/api/routing/chat", json={"session_id": uuid.uuid4().hex, "message": text[:400]})
            response.raise_for_status()
            return (time.perf_counter() - t0) * 1000

        for workers in args.concurrency:
            t0 = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                samples = sorted(pool.map(one, texts))
            wall = time.perf_counter() - t0
            p95 = samples[int(0.95 * (len(samples) - 1))]
            print(
                f"concurrency {workers}: {len(samples)} messages, {len(samples) / wall:.1f} msg/s, "
                f"p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms, max {samples[-1]:.0f} ms"
            )


if __name__ == "__main__":
    main()
