"""Huey, made durable: leases around each run, recovery in the consumer, PII-free job logs.

``core.jobs`` is the API; this module is the engine behind it. See ``core.job_leases`` for why a
lease exists and what it guarantees.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Any

from huey import signals
from huey.api import Huey, Task
from huey.consumer import Consumer
from huey.storage import BaseStorage
from huey.utils import Error

from core.job_leases import Clock, Lease, LeaseBook, LeaseHolder, Recovery, recover_stale_leases
from core.logging import get_logger

log = get_logger("madoguchi.jobs")

LEASES_SUFFIX = "_leases"


class LeasedHuey(Huey):
    """A Huey whose dequeued messages stay in storage (as leases) until their outcome is stored."""

    def __init__(
        self,
        name: str,
        *,
        storage_class: type[BaseStorage],
        lease_seconds: float,
        max_recoveries: int,
        immediate: bool = False,
        clock: Clock = time.time,
        **storage_kwargs: Any,
    ) -> None:
        # store_intermediate_errors=False: a caller waiting on the result sees the final outcome,
        # not the first of several attempts.
        super().__init__(name, storage_class=storage_class, immediate=immediate, store_none=False,
                         store_intermediate_errors=False, utc=True, **storage_kwargs)
        # A sibling name in the same storage: listing leases never scans task results.
        lease_storage = (self.get_immediate_storage() if immediate
                         else storage_class(name + LEASES_SUFFIX, **storage_kwargs))
        self.leases = LeaseBook(lease_storage, lease_seconds, clock)
        self.holder = LeaseHolder(self.leases)
        self.max_recoveries = max_recoveries
        self._started: dict[str, float] = {}
        self._interrupted: set[str] = set()
        self.signal(signals.SIGNAL_EXECUTING)(self._log_start)
        self.signal(signals.SIGNAL_COMPLETE)(self._log_complete)
        self.signal(signals.SIGNAL_ERROR)(self._log_error)
        self.signal(signals.SIGNAL_INTERRUPTED)(self._on_interrupted)

    # --- the lease lifecycle -------------------------------------------------------------

    def dequeue(self) -> Task | None:
        data = self.storage.dequeue()
        if data is None:
            return None
        message = self.serializer.deserialize(data)  # a namedtuple: readable without the registry
        try:
            self.holder.acquire(message.id, message.name, bytes(data))
        except Exception:
            self.storage.enqueue(data)  # no lease, no run: hand the message back rather than risk it
            raise
        try:
            task: Task = self._registry.create_task(message)
        except Exception:
            # A job this worker does not know (e.g. during a rolling upgrade): leave the lease to go
            # stale so another worker gets it, instead of dropping the message as Huey would.
            self.holder.abandon(message.id)
            raise
        return task

    def read_schedule(self, timestamp: Any = None) -> list[Task]:
        # The scheduler pops due messages (delayed retries, ``eta`` jobs) and enqueues them one by
        # one: lease them in between, as a worker does, so a scheduler killed there loses nothing.
        due = self.storage.read_schedule(timestamp or self._get_timestamp())
        tasks: list[Task] = []
        for data in due:
            message = self.serializer.deserialize(data)
            self.holder.acquire(message.id, message.name, bytes(data))
            try:
                tasks.append(self._registry.create_task(message))
            except Exception:
                self.holder.abandon(message.id)  # unknown here: recovery hands it to another worker
        return tasks

    def enqueue(self, task: Any) -> Any:
        handle = super().enqueue(task)
        if isinstance(task, Task) and self.holder.holds(task.id):
            # The message is back in the queue (a scheduled job come due, or an immediate retry):
            # that is an outcome, so the lease has done its work.
            self.holder.release(task.id)
        return handle

    def execute(self, task: Task, timestamp: Any = None) -> Any:
        if not self.holder.holds(task.id):
            return super().execute(task, timestamp)  # immediate mode: nothing can die in between
        finished = False
        try:
            value = super().execute(task, timestamp)
            finished = task.id not in self._interrupted
            return value
        finally:
            self._interrupted.discard(task.id)
            self._started.pop(task.id, None)
            if finished:
                self.holder.release(task.id)
            else:
                # Huey failed to persist the outcome (storage error): the lease goes stale and the
                # job is re-run by recovery.
                self.holder.abandon(task.id)

    def _on_interrupted(self, signal: str, task: Task, *args: Any) -> None:
        # A graceful stop interrupted the job: put it back now instead of waiting for the lease
        # to go stale.
        lease = self.holder.abandon(task.id)
        if lease is None:
            return
        self._interrupted.add(task.id)
        self.storage.enqueue(lease.message)
        self.leases.drop(task.id)
        log.warning("job.interrupted_requeued", job=lease.job_name, job_id=task.id)

    def recover_stale_leases(self) -> Recovery:
        return recover_stale_leases(
            self.leases,
            requeue=self.storage.enqueue,
            count_recovery=lambda job_id: int(self.storage.incr(f"recoveries:{job_id}")),
            give_up=self._give_up,
            max_recoveries=self.max_recoveries,
        )

    def _give_up(self, lease: Lease, recoveries: int) -> None:
        self.put_result(lease.job_id, Error({
            "error": f"JobAbandoned: the worker died during each of {recoveries + 1} runs",
            "retries": 0, "traceback": "", "task_id": lease.job_id,
        }))

    # --- logs: job name, id, attempt, duration; never arguments or exception messages -----

    def _name(self, task: Task) -> str:
        return str(self._registry.task_to_string(type(task)))  # the same name leases carry

    def _attempt(self, task: Task) -> int:
        return int(type(task).default_retries) - int(task.retries) + 1

    def _log_start(self, signal: str, task: Task, *args: Any) -> None:
        self._started[task.id] = time.monotonic()
        log.info("job.started", job=self._name(task), job_id=task.id, attempt=self._attempt(task))

    def _duration(self, task: Task) -> float:
        started = self._started.pop(task.id, None)
        return 0.0 if started is None else time.monotonic() - started

    def _log_complete(self, signal: str, task: Task, *args: Any) -> None:
        log.info("job.complete", job=self._name(task), job_id=task.id, attempt=self._attempt(task),
                 duration_s=round(self._duration(task), 3))

    def _log_error(self, signal: str, task: Task, exc: BaseException, *args: Any) -> None:
        # The exception's message may quote a resident's words: log its type and frames only.
        frames = "; ".join(f"{f.filename}:{f.lineno} in {f.name}"
                           for f in traceback.extract_tb(exc.__traceback__) if "/huey/" not in f.filename)
        log.error("job.failed", job=self._name(task), job_id=task.id, attempt=self._attempt(task),
                  retries_left=task.retries, duration_s=round(self._duration(task), 3),
                  error=type(exc).__name__, frames=frames)


class RecoveringConsumer(Consumer):
    """Huey's consumer, plus lease recovery at start and every ``recovery_interval`` seconds."""

    def __init__(self, huey: LeasedHuey, recovery_interval: float, **options: Any) -> None:
        super().__init__(huey, **options)
        self.leased_huey = huey
        self.recovery_interval = recovery_interval
        self._next_recovery = 0.0
        self._recovering = threading.Lock()

    def start(self) -> None:
        self._recover()
        if self.environment.forks:
            self.leased_huey.leases.close()  # children must not share the parent's connection
        super().start()

    def loop(self, health_check_ts: float | None = None) -> float | None:
        ts: float | None = super().loop(health_check_ts)
        if time.monotonic() >= self._next_recovery:
            self._recover()
        return ts

    def _recover(self) -> None:
        self._next_recovery = time.monotonic() + self.recovery_interval
        with self._recovering:
            try:
                outcome = self.leased_huey.recover_stale_leases()
            except Exception as exc:
                log.warning("job.recovery_failed", error=type(exc).__name__)
                return
        if outcome.requeued or outcome.given_up:
            log.warning("job.recovery", requeued=outcome.requeued, given_up=outcome.given_up)


class RedactTaskErrors(logging.Filter):
    """Huey logs a task's exception with its traceback, whose message may hold personal data.

    ``LeasedHuey`` logs the type and frames itself, so the traceback is dropped from Huey's record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.getMessage().startswith("Unhandled exception in task"):
            record.exc_info = None
            record.exc_text = None
        return True
