"""Leases: why a job whose worker dies mid-run is run again instead of lost.

Huey dequeues destructively: once a worker has popped a task message, the queue no longer has
it, so a worker killed mid-job (SIGKILL, OOM, power loss) would lose the job. Here, the moment a
worker dequeues a message it writes a *lease* — the message exactly as dequeued, the worker's id
and a heartbeat time — into the Huey storage's key-value area, under a sibling queue name
(``<name>_leases``) so the leases can be listed without scanning task results. The same calls
(``put_data``/``pop_data``/``result_items``) work on SQLite and on Redis, so the embedded and the
distributed mode share this code.

While the job runs, a heartbeat thread in the worker's process refreshes its leases. When the job
has finished, failed for good, or been re-queued for a retry, the lease is dropped — *after*
Huey has persisted that outcome, so a crash in between gives a duplicate run, never a lost one.
A consumer (at start and periodically) re-enqueues the messages of leases whose heartbeat is
older than ``lease_seconds``: their worker is gone. Claiming a stale lease is an atomic pop, so
with several consumers only one re-enqueues it.

The guarantee is therefore *at least once*: jobs must be idempotent (see ``core.jobs``). A job
that keeps killing its worker is given up after ``max_recoveries`` with an error result.
Heartbeats use the wall clock because leases are compared across machines: keep clocks in sync
(NTP) and ``lease_seconds`` well above any clock skew.

The scheduler, which pops due delayed jobs (retries with a delay, ``eta`` jobs) before enqueueing
them, leases them the same way. Residual window: between a storage pop and the lease write there
is one storage round trip in which no job code runs; closing it would need a storage-specific
atomic move (a SQLite transaction spanning both tables, a Redis Lua script).
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from huey.constants import EmptyData
from huey.storage import BaseStorage

from core.logging import get_logger

log = get_logger("madoguchi.jobs")

Clock = Callable[[], float]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Lease:
    job_id: str
    job_name: str
    message: bytes  # the serialized Huey task message, byte for byte as it was dequeued
    worker: str
    heartbeat: float  # time.time() of the holder's last sign of life

    def to_bytes(self) -> bytes:
        record = {
            "job_id": self.job_id,
            "job_name": self.job_name,
            "message": base64.b64encode(self.message).decode("ascii"),
            "worker": self.worker,
            "heartbeat": self.heartbeat,
        }
        return json.dumps(record).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Lease:
        record = json.loads(bytes(raw))
        return cls(
            job_id=record["job_id"],
            job_name=record["job_name"],
            message=base64.b64decode(record["message"]),
            worker=record["worker"],
            heartbeat=float(record["heartbeat"]),
        )


class LeaseBook:
    """The leases of all running jobs, kept in a Huey storage of their own name."""

    def __init__(self, storage: BaseStorage, lease_seconds: float, clock: Clock = time.time) -> None:
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        self.storage = storage
        self.lease_seconds = lease_seconds
        self.clock = clock

    def write(self, lease: Lease) -> None:
        self.storage.put_data(lease.job_id, lease.to_bytes())

    def drop(self, job_id: str) -> None:
        self.storage.delete_data(job_id)

    def claim(self, job_id: str) -> Lease | None:
        """Atomically take a lease out of the book; None if someone else took it first."""
        raw = self.storage.pop_data(job_id)
        return None if raw is EmptyData else Lease.from_bytes(raw)

    def all(self) -> list[Lease]:
        return [Lease.from_bytes(raw) for raw in self.storage.result_items().values()]

    def is_stale(self, lease: Lease) -> bool:
        return self.clock() - lease.heartbeat >= self.lease_seconds

    def close(self) -> None:
        self.storage.close()


class LeaseHolder:
    """The leases this process holds, and the heartbeat thread that keeps them fresh.

    One per process: a forked worker process starts with an empty set and its own thread.
    """

    def __init__(self, book: LeaseBook) -> None:
        self.book = book
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._held: dict[str, Lease] = {}
        # Serializes heartbeat writes with releases, so a heartbeat never resurrects a dropped lease.
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def _ensure_process(self) -> None:
        if self._pid != os.getpid():
            self._reset()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._beat, name="job-lease-heartbeat", daemon=True)
            self._thread.start()

    def acquire(self, job_id: str, job_name: str, message: bytes) -> Lease:
        self._ensure_process()
        lease = Lease(job_id, job_name, message, worker_id(), self.book.clock())
        with self._lock:
            self.book.write(lease)
            self._held[job_id] = lease
        return lease

    def holds(self, job_id: str) -> bool:
        return self._pid == os.getpid() and job_id in self._held

    def release(self, job_id: str) -> None:
        """The job's outcome is persisted: forget the lease here and in storage."""
        with self._lock:
            if self._held.pop(job_id, None) is not None:
                self.book.drop(job_id)

    def abandon(self, job_id: str) -> Lease | None:
        """Stop heartbeating but leave the stored lease, so recovery re-runs the job."""
        with self._lock:
            return self._held.pop(job_id, None)

    def _beat(self) -> None:
        interval = self.book.lease_seconds / 3
        while not self._wake.wait(interval):
            with self._lock:
                for job_id, lease in list(self._held.items()):
                    fresh = replace(lease, heartbeat=self.book.clock())
                    try:
                        self.book.write(fresh)
                    except Exception as exc:
                        # The storage may be briefly unreachable; the next beat tries again.
                        log.warning("job.heartbeat_failed", job_id=job_id, error=type(exc).__name__)
                    else:
                        self._held[job_id] = fresh


@dataclass(frozen=True)
class Recovery:
    requeued: int
    given_up: int


def recover_stale_leases(
    book: LeaseBook,
    requeue: Callable[[bytes], Any],
    count_recovery: Callable[[str], int],
    give_up: Callable[[Lease, int], Any],
    max_recoveries: int,
) -> Recovery:
    """Re-enqueue the messages of leases whose worker stopped heartbeating."""
    requeued = given_up = 0
    for seen in book.all():
        if not book.is_stale(seen):
            continue
        lease = book.claim(seen.job_id)
        if lease is None:
            continue  # another consumer recovered it, or the job just finished
        if not book.is_stale(lease):
            # A heartbeat landed between our read and the claim: the worker lives. Putting the lease
            # back risks a duplicate run if it finishes meanwhile; not putting it back risks a loss.
            book.write(lease)
            continue
        recoveries = count_recovery(lease.job_id)
        if recoveries > max_recoveries:
            # Its worker died on every run: likely the job itself kills it (memory, a native crash).
            log.error("job.given_up", job=lease.job_name, job_id=lease.job_id, recoveries=recoveries - 1)
            give_up(lease, recoveries - 1)
            given_up += 1
            continue
        requeue(lease.message)
        log.warning("job.recovered", job=lease.job_name, job_id=lease.job_id, dead_worker=lease.worker,
                    recovery=recoveries)
        requeued += 1
    return Recovery(requeued, given_up)
