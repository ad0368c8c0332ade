"""Jobs used only by tests/core/test_jobs*.py. Markers are files, so any process can see them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from core.jobs import job, periodic_job


def _append(path: Path, line: str) -> int:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return len(path.read_text(encoding="utf-8").splitlines())


@job()
def add(a: int, b: int) -> int:
    return a + b


@job()
def mark_then_sleep(marker_dir: str, first_run_seconds: float) -> str:
    """Marks its start; the first run sleeps long enough to be killed, later runs finish at once."""
    directory = Path(marker_dir)
    starts = _append(directory / "started", str(os.getpid()))
    if starts == 1:
        time.sleep(first_run_seconds)
    _append(directory / "completed", str(os.getpid()))
    return "done"


@job(retries=2, retry_delay=1)
def fail_twice(marker_dir: str) -> int:
    """Raises on its first two attempts; returns the attempt number on the third."""
    attempts = _append(Path(marker_dir) / "attempts", str(os.getpid()))
    if attempts <= 2:
        raise RuntimeError("transient failure (a message that must stay out of the logs: 山田太郎)")
    return attempts


@job(retries=1)
def always_fail(marker_dir: str) -> None:
    _append(Path(marker_dir) / "attempts", str(os.getpid()))
    raise ValueError("permanent failure")


@periodic_job(minute="0", hour="3")
def nightly() -> str:
    """A periodic job: 03:00 Tokyo time, every day."""
    return "ran"
