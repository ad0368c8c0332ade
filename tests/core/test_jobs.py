"""Background jobs end to end: a real `madoguchi worker` process on SQLite, and on a real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from core.jobs import JobFailed, configure_queue, periodic_job, queue_health, reset_queue
from core.settings import Settings
from tests.core import jobs_tasks
from tests.core.jobs_harness import WAIT_SECONDS, lines, log_records, redis_server, running_worker, worker_env
from tests.support import free_port


@pytest.fixture(autouse=True)
def _forget_queue() -> Iterator[None]:
    yield
    reset_queue()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a worker, with this process's queue configured the same way."""
    if request.param == "sqlite":
        env = worker_env(tmp_path, "sqlite")
        configure_queue(Settings(data_dir=tmp_path, queue_backend="sqlite", job_lease_seconds=2))
        yield env
        return
    with redis_server(tmp_path) as url:
        env = worker_env(tmp_path, "redis", redis_url=url)
        configure_queue(Settings(data_dir=tmp_path, queue_backend="redis", redis_url=url, job_lease_seconds=2))
        yield env


def test_worker_runs_an_enqueued_job_and_its_result_is_visible(backend: dict[str, str], tmp_path: Path) -> None:
    handle = jobs_tasks.add.enqueue(2, 3)
    assert queue_health().pending == 1

    with running_worker(backend, tmp_path / "worker.log") as worker:
        assert handle.get(timeout=WAIT_SECONDS) == 5, worker.output()

    assert queue_health().pending == 0
    assert queue_health().running == 0


def test_a_failing_job_is_retried_until_it_succeeds(backend: dict[str, str], tmp_path: Path) -> None:
    handle = jobs_tasks.fail_twice.enqueue(str(tmp_path))

    with running_worker(backend, tmp_path / "worker.log") as worker:
        assert handle.get(timeout=WAIT_SECONDS) == 3, worker.output()

    assert len(lines(tmp_path / "attempts")) == 3
    log = worker.output()
    failures = [record for record in log_records(log) if record["event"] == "job.failed"]
    assert [record["job"] for record in failures] == ["tests.core.jobs_tasks.fail_twice"] * 2
    assert {record["error"] for record in failures} == {"RuntimeError"}
    # The exception's message quoted a (made-up) resident's name: logs carry its type only.
    assert "山田太郎" not in log
    assert "transient failure" not in log


def test_a_job_that_keeps_failing_reports_failure_after_its_retries(tmp_path: Path) -> None:
    configure_queue(Settings(data_dir=tmp_path, queue_backend="sqlite"))
    handle = jobs_tasks.always_fail.enqueue(str(tmp_path))

    with running_worker(worker_env(tmp_path, "sqlite"), tmp_path / "worker.log"):
        with pytest.raises(JobFailed) as failure:
            handle.get(timeout=WAIT_SECONDS)

    assert failure.value.error == "ValueError"
    assert "permanent failure" not in str(failure.value)
    assert len(lines(tmp_path / "attempts")) == 2  # the first run and its one retry


def test_immediate_backend_runs_the_job_in_the_caller(tmp_path: Path) -> None:
    configure_queue(Settings(data_dir=tmp_path, queue_backend="immediate"))
    assert jobs_tasks.add.enqueue(20, 22).get(timeout=1) == 42
    assert jobs_tasks.add(1, 1) == 2  # calling the job runs the function itself, here and now


def test_queue_health_reports_a_reachable_sqlite_store(tmp_path: Path) -> None:
    configure_queue(Settings(data_dir=tmp_path, queue_backend="sqlite"))
    health = queue_health()
    assert health.ok and health.backend == "sqlite"
    assert (tmp_path / "jobs.sqlite3").exists()


def test_queue_health_reports_an_unreachable_redis(tmp_path: Path) -> None:
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    configure_queue(Settings(data_dir=tmp_path, queue_backend="redis", redis_url=nothing_listens))
    health = queue_health()
    assert not health.ok
    assert "ConnectionError" in health.detail


@pytest.mark.redis
def test_queue_health_reports_a_reachable_redis(tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        configure_queue(Settings(data_dir=tmp_path, queue_backend="redis", redis_url=url))
        assert queue_health().ok


def test_a_periodic_job_is_due_on_its_tokyo_schedule(tmp_path: Path) -> None:
    queue = configure_queue(Settings(data_dir=tmp_path, queue_backend="sqlite"))
    # Huey asks with naive UTC times; 03:00 in Tokyo is 18:00 UTC the day before.
    due = [task.name for task in queue.huey.read_periodic(datetime(2026, 4, 1, 18, 0))]
    assert "nightly" in due
    assert "nightly" not in [task.name for task in queue.huey.read_periodic(datetime(2026, 4, 1, 3, 0))]
    assert jobs_tasks.nightly() == "ran"


def test_a_mistyped_schedule_fails_at_declaration() -> None:
    with pytest.raises(ValueError):
        periodic_job(hour="3am")
