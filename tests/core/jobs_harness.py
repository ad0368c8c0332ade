"""Real workers and a real Redis for the job tests: subprocesses, each wait bounded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis

from tests.support import free_port, require_binary

WAIT_SECONDS = 60.0  # a broken test fails after this instead of hanging
MADOGUCHI = str(Path(sys.executable).parent / "madoguchi")


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        time.sleep(0.05)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def log_records(output: str) -> list[dict[str, Any]]:
    """The worker's JSON log lines (one object per line)."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def worker_env(data_dir: Path, backend: str, redis_url: str = "", lease_seconds: float = 2.0) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MADOGUCHI_")}
    env.update({
        "MADOGUCHI_ENV": "test",
        "MADOGUCHI_DATA_DIR": str(data_dir),
        "MADOGUCHI_QUEUE_BACKEND": backend,
        "MADOGUCHI_JOB_LEASE_SECONDS": str(lease_seconds),
    })
    if redis_url:
        env["MADOGUCHI_REDIS_URL"] = redis_url
    return env


class Worker:
    """`madoguchi worker` in its own process group, so SIGKILL takes all of it at once."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as log_file:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [MADOGUCHI, "worker", "--workers", "1", "--tasks", "tests.core.jobs_tasks"],
                env=env, cwd=log.parent, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """The crash we test for: no shutdown code runs."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT_SECONDS)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # graceful: running jobs may finish
            try:
                self.process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_worker(env: dict[str, str], log: Path) -> Iterator[Worker]:
    worker = Worker(env, log)
    try:
        yield worker
    finally:
        worker.stop()


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A throwaway redis-server on a free port, no persistence."""
    binary = require_binary("redis-server")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            if process.poll() is not None:
                raise AssertionError(f"redis-server exited with {process.returncode}") from None
            return False

    try:
        wait_until(answers, "redis-server answers PING", timeout=30)
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=WAIT_SECONDS)
