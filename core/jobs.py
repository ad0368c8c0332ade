"""Background jobs (transcribe, mask, summarize, …) on Huey, embedded or distributed.

Backends (``Settings.queue_backend``):

- ``sqlite``    — the embedded default: a SQLite file in ``data_dir``; ``madoguchi worker`` beside
                  the web app on the same machine.
- ``redis``     — scale-out: the same jobs, a Redis server at ``redis_url``, workers anywhere.
- ``immediate`` — tests and notebooks: ``enqueue`` runs the job at once, in the caller.

Declaring a job (a domain module, at import time; no queue or settings needed yet)::

    from core.jobs import job

    @job(retries=3, retry_delay=30)
    def transcribe(consultation_id: int) -> None:
        ...

    transcribe.enqueue(consultation_id)   # from a request handler: returns a JobHandle at once

Periodic jobs: ``@periodic_job(minute="0", hour="3")`` (cron fields, Tokyo time), e.g. the purge
of raw transcripts past their retention period.

The composition layer calls ``configure_queue(settings)`` at start (web app and worker); jobs
declared before or after are registered with it. A worker must import the modules declaring its
jobs (``app/cli/worker.py`` lists them).

Rules for job authors:

- **Idempotent.** A job runs *at least* once: when its worker dies mid-run it is run again from
  the start (see ``core.job_leases``), and a crash right after it finished can repeat it. Write
  results with upserts or check-then-write on the record's state, never "append another row".
- **Pass record ids, not text.** Arguments are stored unencrypted in the queue (SQLite file or
  Redis); a resident's words belong in the encrypted database row the id points to.
- **Exceptions trigger retries**; their messages are kept out of logs, but do not put personal
  data in them anyway. Return ``None`` unless a caller reads the result: a stored result stays
  until it is read once.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, ParamSpec, TypeVar

import redis
from huey.api import Result, TaskWrapper, crontab
from huey.exceptions import ResultTimeout, TaskException
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage

from core.clock import TOKYO
from core.job_engine import LeasedHuey, RecoveringConsumer
from core.settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")

QUEUE_NAME = "madoguchi"
WorkerType = Literal["thread", "process"]


class JobError(Exception):
    """Base of this module's errors."""


class JobFailed(JobError):
    """The job raised on its last attempt (or its worker died too often). Carries the error type only."""

    def __init__(self, job_id: str, error: str) -> None:
        super().__init__(f"job {job_id} failed: {error}")
        self.job_id = job_id
        self.error = error


class JobResultTimeout(JobError):
    """No result arrived in time; the job may still be queued or running."""


class TokyoSchedule:
    """Cron fields read in Asia/Tokyo time (Huey itself compares them with UTC)."""

    def __init__(self, minute: str, hour: str, day: str, month: str, day_of_week: str) -> None:
        # strict: a typo fails when the module is imported, not silently never runs
        self._matches = crontab(minute, hour, day, month, day_of_week, strict=True)

    def __call__(self, utc_timestamp: datetime) -> bool:
        tokyo = utc_timestamp.replace(tzinfo=UTC).astimezone(TOKYO).replace(tzinfo=None)
        return bool(self._matches(tokyo))


@dataclass(frozen=True)
class JobOptions:
    retries: int = 0
    retry_delay: float = 0.0  # seconds before the first retry
    retry_backoff: float = 1.0  # each further retry waits this factor longer
    schedule: TokyoSchedule | None = None  # periodic jobs only


class JobHandle(Generic[R]):
    """What ``enqueue`` returns: the job's id, and its result once a worker has stored one."""

    def __init__(self, result: Result) -> None:
        self._result = result
        self.id: str = result.id

    def get(self, timeout: float) -> R:
        try:
            value: R = self._result.get(blocking=True, timeout=timeout, max_delay=0.5)
        except ResultTimeout as exc:
            raise JobResultTimeout(f"job {self.id}: no result after {timeout}s") from exc
        except TaskException as exc:
            # Only the error's type leaves the queue: its message may hold personal data.
            error_type = re.match(r"[\w.]*", exc.metadata.get("error") or "")
            raise JobFailed(self.id, (error_type.group(0) if error_type else "") or "unknown") from exc
        return value


class Job(Generic[P, R]):
    """A function that can run now (``job(...)``) or later on a worker (``job.enqueue(...)``)."""

    def __init__(self, func: Callable[P, R], options: JobOptions) -> None:
        functools.update_wrapper(self, func)
        self.func = func
        self.options = options
        self.key = f"{func.__module__}.{func.__qualname__}"

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(*args, **kwargs)

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> JobHandle[R]:
        return get_queue().enqueue(self, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<Job {self.key}>"


_declared: dict[str, Job[Any, Any]] = {}
_queue: JobQueue | None = None
_queue_lock = threading.RLock()


def job(*, retries: int = 0, retry_delay: float = 0.0, retry_backoff: float = 1.0
        ) -> Callable[[Callable[P, R]], Job[P, R]]:
    """Declare a background job. The function must be idempotent and take JSON-like ids."""
    options = JobOptions(retries, retry_delay, retry_backoff)

    def declare(func: Callable[P, R]) -> Job[P, R]:
        declared: Job[P, R] = Job(func, options)
        _declared[declared.key] = declared
        if _queue is not None:
            _queue.register(declared)
        return declared

    return declare


def periodic_job(*, minute: str = "0", hour: str = "*", day: str = "*", month: str = "*",
                 day_of_week: str = "*", retries: int = 0, retry_delay: float = 0.0
                 ) -> Callable[[Callable[[], R]], Job[[], R]]:
    """Declare a job that workers enqueue themselves, on a cron schedule in Tokyo time.

    Fields as in cron (``day_of_week`` 0 = Sunday). Every worker started without ``--no-periodic``
    enqueues it, so with several machines start one such worker, or rely on the job's idempotence.
    """
    schedule = TokyoSchedule(minute, hour, day, month, day_of_week)
    options = JobOptions(retries, retry_delay, schedule=schedule)

    def declare(func: Callable[[], R]) -> Job[[], R]:
        declared: Job[[], R] = Job(func, options)
        _declared[declared.key] = declared
        if _queue is not None:
            _queue.register(declared)
        return declared

    return declare


@dataclass(frozen=True)
class QueueHealth:
    ok: bool
    backend: str
    pending: int = 0
    running: int = 0
    detail: str = ""


class JobQueue:
    """One configured Huey instance and the jobs registered with it."""

    def __init__(self, huey: LeasedHuey, backend: str) -> None:
        self.huey = huey
        self.backend = backend
        self._tasks: dict[str, TaskWrapper] = {}

    def register(self, declared: Job[Any, Any]) -> None:
        if declared.key in self._tasks:  # a reloaded module: Huey would refuse a second registration
            self._tasks.pop(declared.key).unregister()
        opts = declared.options
        settings = {"retries": opts.retries, "retry_delay": opts.retry_delay,
                    "retry_backoff": opts.retry_backoff, "name": declared.func.__qualname__.replace(".", "_")}
        decorate = (self.huey.task(**settings) if opts.schedule is None
                    else self.huey.periodic_task(opts.schedule, **settings))
        self._tasks[declared.key] = decorate(declared.func)

    def enqueue(self, declared: Job[P, R], *args: P.args, **kwargs: P.kwargs) -> JobHandle[R]:
        task = self._tasks.get(declared.key)
        if task is None:
            raise JobError(f"{declared.key} is not a registered job")
        return JobHandle(self.huey.enqueue(task.s(*args, **kwargs)))

    def pending(self) -> int:
        return int(self.huey.pending_count()) + int(self.huey.scheduled_count())

    def health(self) -> QueueHealth:
        try:
            pending = self.pending()
            running = len(self.huey.leases.all())
        except Exception as exc:  # any storage failure means "not ready"
            return QueueHealth(False, self.backend, detail=f"{type(exc).__name__}: {exc}")
        return QueueHealth(True, self.backend, pending=pending, running=running)

    def consumer(self, workers: int = 1, worker_type: WorkerType = "thread", periodic: bool = True
                 ) -> RecoveringConsumer:
        if self.huey.immediate:
            raise JobError("queue_backend=immediate runs jobs in the caller; there is nothing to consume")
        return RecoveringConsumer(
            self.huey,
            recovery_interval=max(self.huey.leases.lease_seconds / 2, 0.5),
            workers=workers,
            worker_type=worker_type,
            periodic=periodic,
            max_delay=1.0,  # idle SQLite polling: a new job waits at most a second
            # Ctrl-C lets running jobs finish for a while; what is still running then is re-queued.
            shutdown_timeout=30.0,
        )


def build_huey(settings: Settings) -> LeasedHuey:
    def leased(storage_class: type[BaseStorage], immediate: bool = False, **storage: Any) -> LeasedHuey:
        return LeasedHuey(QUEUE_NAME, storage_class=storage_class, immediate=immediate,
                          lease_seconds=settings.job_lease_seconds,
                          max_recoveries=settings.job_max_recoveries, **storage)

    if settings.queue_backend == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return leased(SqliteStorage, filename=str(settings.data_dir / "jobs.sqlite3"))
    if settings.queue_backend == "redis":
        # Bounded timeouts so /readyz answers even when Redis is unreachable.
        pool = redis.ConnectionPool.from_url(
            settings.redis_url, socket_connect_timeout=5, socket_timeout=15, health_check_interval=30
        )
        return leased(RedisStorage, connection_pool=pool)
    return leased(MemoryStorage, immediate=True)


def configure_queue(settings: Settings) -> JobQueue:
    """Build the process's queue from settings and register every declared job with it."""
    global _queue
    queue = JobQueue(build_huey(settings), settings.queue_backend)
    with _queue_lock:
        for declared in list(_declared.values()):
            queue.register(declared)
        _queue = queue
    return queue


def reset_queue() -> None:
    """Forget the configured queue (tests; a process about to reconfigure). Declared jobs stay."""
    global _queue
    with _queue_lock:
        _queue = None


def get_queue() -> JobQueue:
    """The configured queue; configured from ``get_settings()`` if the composition layer has not."""
    with _queue_lock:
        return _queue if _queue is not None else configure_queue(get_settings())


def queue_health() -> QueueHealth:
    """For /readyz: can this process reach the queue's storage?"""
    return get_queue().health()
