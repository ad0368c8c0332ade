"""The lease layer in one process, on a real SQLite queue file, with a clock we move by hand.

Dying is simulated by what a dead worker does: nothing (``holder.abandon`` stops the heartbeat).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from huey.exceptions import HueyException
from huey.storage import SqliteStorage

from core.job_engine import LeasedHuey
from core.jobs import JobFailed, JobHandle
from tests.core import jobs_tasks

LEASE_SECONDS = 600.0  # the heartbeat thread (every 200 s) stays out of the way; the clock is ours


class HandClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def leased_huey(tmp_path: Path, clock: HandClock, max_recoveries: int = 5, register: bool = True) -> LeasedHuey:
    huey = LeasedHuey("madoguchi", storage_class=SqliteStorage, filename=str(tmp_path / "jobs.sqlite3"),
                      lease_seconds=LEASE_SECONDS, max_recoveries=max_recoveries, clock=clock)
    if register:
        huey.task()(jobs_tasks.add.func)
    return huey


def add_task(huey: LeasedHuey, a: int, b: int) -> JobHandle[int]:
    wrapper = huey._registry.string_to_task("tests.core.jobs_tasks.add")
    return JobHandle(huey.enqueue(wrapper((a, b), {})))


def test_a_dequeued_job_stays_leased_until_its_outcome_is_stored(tmp_path: Path) -> None:
    huey = leased_huey(tmp_path, HandClock())
    handle = add_task(huey, 2, 3)

    task = huey.dequeue()
    assert task is not None and huey.pending_count() == 0
    [lease] = huey.leases.all()
    assert lease.job_id == handle.id
    assert huey.deserialize_task(lease.message).id == handle.id  # enough to re-enqueue it

    huey.execute(task)
    assert huey.leases.all() == []
    assert handle.get(timeout=1) == 5


def test_only_stale_leases_are_requeued_and_only_once(tmp_path: Path) -> None:
    clock = HandClock()
    huey = leased_huey(tmp_path, clock)
    other_consumer = leased_huey(tmp_path, clock)
    dead = add_task(huey, 1, 1)
    alive = add_task(huey, 2, 2)

    dead_task = huey.dequeue()
    assert dead_task is not None
    huey.holder.abandon(dead_task.id)  # its worker died: no more heartbeats
    clock.advance(LEASE_SECONDS + 1)
    assert huey.dequeue() is not None  # a live worker, freshly leased

    outcomes = [huey.recover_stale_leases(), other_consumer.recover_stale_leases()]

    assert sum(outcome.requeued for outcome in outcomes) == 1
    assert [lease.job_id for lease in huey.leases.all()] == [alive.id]
    [requeued] = huey.pending()
    assert requeued.id == dead.id


def test_a_job_that_kills_every_worker_is_given_up(tmp_path: Path) -> None:
    clock = HandClock()
    huey = leased_huey(tmp_path, clock, max_recoveries=1)
    handle = add_task(huey, 4, 4)

    for expected_requeued, expected_given_up in ((1, 0), (0, 1)):
        task = huey.dequeue()
        assert task is not None
        huey.holder.abandon(task.id)
        clock.advance(LEASE_SECONDS + 1)
        outcome = huey.recover_stale_leases()
        assert (outcome.requeued, outcome.given_up) == (expected_requeued, expected_given_up)

    assert huey.pending_count() == 0 and huey.leases.all() == []
    with pytest.raises(JobFailed) as failure:
        handle.get(timeout=1)
    assert failure.value.error == "JobAbandoned"


def test_a_worker_that_does_not_know_the_job_leaves_it_for_another(tmp_path: Path) -> None:
    clock = HandClock()
    knows = leased_huey(tmp_path, clock)
    handle = add_task(knows, 5, 5)
    stale_code = leased_huey(tmp_path, clock, register=False)

    with pytest.raises(HueyException):
        stale_code.dequeue()  # Huey alone would have dropped the message here

    clock.advance(LEASE_SECONDS + 1)
    assert knows.recover_stale_leases().requeued == 1
    task = knows.dequeue()
    assert task is not None
    knows.execute(task)
    assert handle.get(timeout=1) == 10


def test_a_scheduled_job_popped_by_a_dying_scheduler_is_recovered(tmp_path: Path) -> None:
    clock = HandClock()
    huey = leased_huey(tmp_path, clock)
    wrapper = huey._registry.string_to_task("tests.core.jobs_tasks.add")
    delayed = wrapper((6, 6), {}, eta=datetime(2000, 1, 1))  # long due
    huey.add_schedule(delayed)

    [due] = huey.read_schedule()  # the scheduler popped it ... and died before enqueueing it
    huey.holder.abandon(due.id)
    assert huey.scheduled_count() == 0 and huey.pending_count() == 0

    clock.advance(LEASE_SECONDS + 1)
    assert huey.recover_stale_leases().requeued == 1
    assert [task.id for task in huey.pending()] == [delayed.id]


def test_a_scheduled_job_enqueued_normally_leaves_no_lease(tmp_path: Path) -> None:
    huey = leased_huey(tmp_path, HandClock())
    wrapper = huey._registry.string_to_task("tests.core.jobs_tasks.add")
    huey.add_schedule(wrapper((7, 7), {}, eta=datetime(2000, 1, 1)))

    for task in huey.read_schedule():
        huey.enqueue(task)  # what the scheduler does next

    assert huey.pending_count() == 1
    assert huey.leases.all() == []
