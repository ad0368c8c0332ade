"""The requirement: a job whose worker is killed mid-run is run again, never lost.

A job marks its start and sleeps; its worker gets SIGKILL (no shutdown code runs); a new worker
must find the dead worker's lease, re-run the job, and the job must complete exactly once.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.jobs import configure_queue, queue_health, reset_queue
from core.settings import Settings
from tests.core import jobs_tasks
from tests.core.jobs_harness import (
    WAIT_SECONDS,
    Worker,
    lines,
    log_records,
    redis_server,
    running_worker,
    wait_until,
    worker_env,
)

LEASE_SECONDS = 2.0  # short, so recovery happens within the test; production default is 60


@pytest.fixture(autouse=True)
def _forget_queue() -> Iterator[None]:
    yield
    reset_queue()


def _kill_mid_job_then_recover(env: dict[str, str], tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    handle = jobs_tasks.mark_then_sleep.enqueue(str(markers), WAIT_SECONDS * 2)

    doomed = Worker(env, tmp_path / "doomed-worker.log")
    try:
        wait_until(lambda: len(lines(markers / "started")) == 1, "the job has started")
    finally:
        doomed.kill()
    assert not (markers / "completed").exists()
    # Huey's dequeue removed the message from the queue; only the lease still knows the job.
    assert queue_health().pending == 0
    assert queue_health().running == 1

    with running_worker(env, tmp_path / "rescue-worker.log") as rescuer:
        assert handle.get(timeout=WAIT_SECONDS) == "done", rescuer.output()
        wait_until(lambda: queue_health().running == 0, "the rescuer dropped its lease")
        [recovered] = [record for record in log_records(rescuer.output()) if record["event"] == "job.recovered"]
        assert recovered["job"] == "tests.core.jobs_tasks.mark_then_sleep"
        assert recovered["dead_worker"].endswith(f":{doomed.pid}")

    assert lines(markers / "started") == [str(doomed.pid), str(rescuer.pid)]
    assert lines(markers / "completed") == [str(rescuer.pid)]  # exactly once, by the new worker
    health = queue_health()
    assert (health.pending, health.running) == (0, 0)  # nothing left that could run it again


def test_killed_worker_job_is_rerun_sqlite(tmp_path: Path) -> None:
    configure_queue(Settings(data_dir=tmp_path, queue_backend="sqlite", job_lease_seconds=LEASE_SECONDS))
    _kill_mid_job_then_recover(worker_env(tmp_path, "sqlite", lease_seconds=LEASE_SECONDS), tmp_path)


@pytest.mark.redis
def test_killed_worker_job_is_rerun_redis(tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        configure_queue(Settings(data_dir=tmp_path, queue_backend="redis", redis_url=url,
                                 job_lease_seconds=LEASE_SECONDS))
        env = worker_env(tmp_path, "redis", redis_url=url, lease_seconds=LEASE_SECONDS)
        _kill_mid_job_then_recover(env, tmp_path)


def test_a_job_interrupted_by_sigterm_is_requeued_at_once(tmp_path: Path) -> None:
    configure_queue(Settings(data_dir=tmp_path, queue_backend="sqlite", job_lease_seconds=LEASE_SECONDS))
    env = worker_env(tmp_path, "sqlite", lease_seconds=LEASE_SECONDS)
    markers = tmp_path / "markers"
    markers.mkdir()
    handle = jobs_tasks.mark_then_sleep.enqueue(str(markers), WAIT_SECONDS * 2)

    stopped = Worker(env, tmp_path / "stopped-worker.log")
    try:
        wait_until(lambda: len(lines(markers / "started")) == 1, "the job has started")
        stopped.process.send_signal(signal.SIGTERM)  # Huey's "stop now", without waiting for jobs
        stopped.process.wait(timeout=WAIT_SECONDS)
    finally:
        stopped.stop()
    assert "job.interrupted_requeued" in {record["event"] for record in log_records(stopped.output())}
    health = queue_health()
    assert (health.pending, health.running) == (1, 0)  # back in the queue, no lease to wait for

    with running_worker(env, tmp_path / "next-worker.log") as successor:
        assert handle.get(timeout=WAIT_SECONDS) == "done", successor.output()
    assert "job.recovered" not in {record["event"] for record in log_records(successor.output())}
    assert lines(markers / "completed") == [str(successor.pid)]
