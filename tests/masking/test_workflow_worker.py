"""The same workflow with a real `madoguchi worker` process on the embedded SQLite queue: the web side only
enqueues ids; the worker builds its own runtime from the environment (settings, database, detector,
the extractive summarizer since no LLM is configured) and moves the consultation along."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core import audit
from core.db import make_engine, make_session_factory
from core.jobs import configure_queue, reset_queue
from core.migrate import upgrade
from masking import consultations, review, summaries
from masking.jobs import mask_consultation, summarize_consultation
from masking.runtime import MaskingRuntime, use_runtime
from tests.core.jobs_harness import running_worker, wait_until, worker_env
from tests.masking.workflow_support import PHONE, SAMPLE, make_runtime, settings_for

pytestmark = pytest.mark.slow


@pytest.fixture
def producer(tmp_path: Path) -> Iterator[tuple[MaskingRuntime, str]]:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    upgrade(url)
    settings = settings_for(tmp_path, url, queue_backend="sqlite", job_lease_seconds=10.0)
    configure_queue(settings)
    engine = make_engine(url)
    sessions: sessionmaker[Session] = make_session_factory(engine)
    runtime = make_runtime(settings, sessions)
    use_runtime(runtime)
    yield runtime, url
    use_runtime(None)
    reset_queue()
    engine.dispose()


def _status(rt: MaskingRuntime, cid: int) -> str:
    with rt.sessions() as session:
        return consultations.get(session, cid).status


def test_a_worker_masks_and_summarizes(producer: tuple[MaskingRuntime, str], tmp_path: Path) -> None:
    rt, url = producer
    cid = consultations.create_from_text(rt, "yamada", SAMPLE)
    mask_consultation.enqueue(cid)
    assert _status(rt, cid) == "masking"  # queued, not run here

    env = worker_env(tmp_path, "sqlite", lease_seconds=10.0) | {"MADOGUCHI_DATABASE_URL": url}
    with running_worker(env, tmp_path / "worker.log") as worker:
        wait_until(lambda: _status(rt, cid) == "pending_review", "the worker masked the transcript", timeout=180)
        review.decide(rt, cid, "yamada", "山田 花子", 1, approve=True)
        summaries.request_summary(rt, cid, "yamada")
        summarize_consultation.enqueue(cid)
        wait_until(lambda: _status(rt, cid) == "summarized", "the worker summarized it", timeout=180)
        output = worker.output()
    assert PHONE not in output and "家賃" not in output  # job logs carry ids and types, never text
    with rt.sessions() as session:
        summary = summaries.latest_summary(session, cid)
        assert summary is not None and summary.generator == "extractive"
        assert audit.verify(session).ok
