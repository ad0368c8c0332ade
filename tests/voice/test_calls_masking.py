"""After a call: its speech is masked for display (real masking/ detector) and raw text is purged."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.audit import AuditEntry
from core.clock import utcnow
from tests.voice.conftest import AppFactory
from tests.voice.gather_harness import TwilioCall
from voice import transcripts
from voice.flow import CallContext
from voice.models import Call, Handoff, Turn
from voice.wiring import VoiceRuntime

SAID = "山田太郎です。電話番号は09012345678です。職員と話したい"


def test_handed_over_call_is_masked_and_raw_text_purged_after_retention(make_app: AppFactory) -> None:
    with TestClient(make_app(office_hours="never")) as client:
        rt: VoiceRuntime = client.app.state.voice  # type: ignore[attr-defined]
        call = TwilioCall(client, "CAmask")
        call.start()
        call.say(SAID)
        for key in ("1", "09087654321", "1"):
            call.press(key)
        sessions = client.app.state.db_sessions  # type: ignore[attr-defined]
        with sessions() as s:
            turn = s.scalars(select(Turn).where(Turn.kind == "said")).one()
            assert turn.text_masked is not None
            assert "09012345678" not in turn.text_masked and "山田" not in turn.text_masked
            assert "【" in turn.text_masked
            handoff = s.scalars(select(Handoff)).one()
            assert handoff.kind == "callback" and handoff.transcript_masked
            assert "09012345678" not in handoff.transcript_masked
        # the console shows the masked text
        assert transcripts.mask_call(rt.service.sessions, rt.cipher, lambda t: t, "CAmask") == 0  # idempotent

        assert transcripts.purge_expired(sessions, rt.cipher, 30) == []  # not expired yet
        purged = transcripts.purge_expired(sessions, rt.cipher, 30, now=utcnow() + timedelta(days=31))
        assert len(purged) == 1
        with sessions() as s:
            row = s.scalars(select(Call)).one()
            assert row.caller_enc is None and row.raw_deleted_at is not None
            ctx = CallContext.from_json(rt.cipher.decrypt_text(row.context_enc))
            assert ctx.last_question is None and ctx.callback_number is None
            assert all(t.text_enc is None for t in s.scalars(select(Turn)))
            assert all(json.loads(rt.cipher.decrypt_text(t.actions_enc)) == [] for t in s.scalars(select(Turn)))
            h = s.scalars(select(Handoff)).one()
            assert (h.question_enc, h.transcript_enc, h.callback_number_enc) == (None, None, None)
            assert h.transcript_masked  # the masked version stays
            assert s.scalars(select(AuditEntry).where(AuditEntry.action == "voice.raw.purge")).one()
        assert transcripts.purge_expired(sessions, rt.cipher, 30, now=utcnow() + timedelta(days=31)) == []
