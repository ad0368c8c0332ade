"""A call in progress survives an FAQ being deleted from the knowledge base by staff (the console saves the
KB file; every process reloads it): the flow neither crashes on the clarify question nor on the hand-over."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.voice.conftest import KB_PATH
from tests.voice.test_flow_scripts import NOW, QUESTION, flow_for
from voice.answerer import FaqLibraryAnswerer
from voice.events import CallerSaid, CallStarted, Transfer
from voice.flow import CallContext
from voice.flow_states import CallState as S


def _without(path: Path, faq_id: str) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    key = next(k for k, v in raw.items() if isinstance(v, list)) if isinstance(raw, dict) else None
    entries = raw[key] if key else raw
    kept = [entry for entry in entries if entry.get("id") != faq_id]
    assert len(kept) == len(entries) - 1
    if key:
        raw[key] = kept
    else:
        raw = kept
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_handover_after_the_answered_faq_was_deleted(tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    shutil.copy(KB_PATH, kb)
    answerer = FaqLibraryAnswerer.from_path(kb, check_seconds=0)
    flow = flow_for(answerer)
    ctx = CallContext()
    flow.handle(ctx, CallStarted(), NOW)
    flow.handle(ctx, CallerSaid(QUESTION, 0.9), NOW)
    assert ctx.last_faq_id == "JUMIN-001"

    _without(kb, "JUMIN-001")
    answerer.reload(None)
    step = flow.handle(ctx, CallerSaid("担当の方と直接お話ししたいんですが", 0.9), NOW)
    assert ctx.state is S.TRANSFERRING
    assert isinstance(step.actions[-1], Transfer)


def test_a_clarify_option_deleted_during_the_call_means_asking_again(tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    shutil.copy(KB_PATH, kb)
    answerer = FaqLibraryAnswerer.from_path(kb, check_seconds=0)
    _without(kb, "JUMIN-002")
    answerer.reload(None)
    assert answerer.resolve_clarify("二つ目の方です", ("JUMIN-001", "JUMIN-002")) is None
