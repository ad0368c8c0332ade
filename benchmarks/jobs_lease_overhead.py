"""What the durability layer costs per job: plain Huey vs. LeasedHuey, same storage, one thread.

    .venv/bin/python -m benchmarks.jobs_lease_overhead [--jobs 2000] [--redis-url redis://…]

Each job is a no-op, so the numbers are pure queue overhead (dequeue and execute; for LeasedHuey
also the lease write and drop and its two job log records). Real jobs (transcription, masking)
take seconds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

from core.job_engine import LeasedHuey
from core.logging import configure_logging


def noop(index: int) -> None:
    return None


def drain(huey: Huey, jobs: int) -> float:
    task = huey.task(name="noop")(noop)
    for index in range(jobs):
        huey.enqueue(task.s(index))
    start = time.perf_counter()
    while (message := huey.dequeue()) is not None:
        huey.execute(message)
    return (time.perf_counter() - start) / jobs * 1000


def measure(label: str, storage_class: type, jobs: int, **storage: Any) -> None:
    plain = drain(Huey("bench_plain", storage_class=storage_class, **storage), jobs)
    leased = drain(LeasedHuey("bench_leased", storage_class=storage_class, lease_seconds=60,
                              max_recoveries=5, **storage), jobs)
    print(f"{label}: plain {plain:.3f} ms/job, leased {leased:.3f} ms/job, "
          f"lease overhead {leased - plain:+.3f} ms/job ({jobs} no-op jobs)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    configure_logging("WARNING")  # the job logs are still formatted, then dropped: part of the cost
    with tempfile.TemporaryDirectory() as directory:
        measure("sqlite", SqliteStorage, args.jobs, filename=str(Path(directory) / "bench.sqlite3"))
    if args.redis_url:
        pool = redis.ConnectionPool.from_url(args.redis_url)
        measure("redis", RedisStorage, args.jobs, connection_pool=pool)


if __name__ == "__main__":
    main()
