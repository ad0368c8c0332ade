"""Staff console pages for calls: the handoff inbox (mark done: CSRF, audited), call list/detail, numbers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from core.audit import AuditEntry, verify
from core.db import session_scope
from core.users import Role, create_user
from tests.voice.conftest import AppFactory
from tests.voice.gather_harness import TwilioCall
from tests.web.conftest import PASSWORD, csrf_from, log_in
from voice.models import Call, Handoff


def staff_client(make_app: AppFactory, office_hours: str = "always") -> TestClient:
    app = make_app(office_hours=office_hours)
    with session_scope(app.state.db_sessions) as s:
        create_user(s, "tanaka", "市民税課 田中", Role.STAFF, PASSWORD)
    return TestClient(app, headers={"accept": "text/html"})


def test_inbox_shows_the_handoff_and_mark_done_is_audited(make_app: AppFactory) -> None:
    with staff_client(make_app) as client:
        call = TwilioCall(client, "CAinbox")
        call.start()
        call.say("ごみの収集日を教えて")
        call.say("図書館の本の返却はどうすればいい")
        assert call.last is not None and call.last.transferred_to
        assert client.get("/console/voice/inbox", follow_redirects=False).status_code in (302, 303, 401)
        log_in(client, "tanaka")
        page = client.get("/console/voice/inbox")
        assert page.status_code == 200 and 'http-equiv="refresh"' in page.text
        client.get("/console/voice/inbox")  # the auto-refresh: same handoffs, not audited again
        assert "図書館の本の返却はどうすればいい" in page.text and "ごみの収集日を教えて" in page.text
        assert "2回答えられず" in page.text
        sessions = client.app.state.db_sessions  # type: ignore[attr-defined]
        with sessions() as s:
            handoff = s.scalars(select(Handoff)).one()
            views = s.scalars(select(AuditEntry).where(AuditEntry.action == "voice.inbox.view")).all()
            assert len(views) == 1 and views[0].actor == "tanaka"
        # no token: refused
        assert client.post(f"/console/voice/handoffs/{handoff.id}/done").status_code == 403
        done = client.post(f"/console/voice/handoffs/{handoff.id}/done", data={"csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
        assert done.status_code == 303
        with sessions() as s:
            row = s.get(Handoff, handoff.id)
            assert row is not None and (row.status, row.done_by) == ("done", "tanaka") and row.done_at
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "voice.handoff.done")).one()
            assert entry.target_id == str(handoff.id) and "図書館" not in entry.detail
            assert verify(s).ok
        assert "未対応の引き継ぎはありません" in client.get("/console/voice/inbox").text


def test_callback_number_is_shown_to_staff(make_app: AppFactory) -> None:
    with staff_client(make_app, office_hours="never") as client:
        call = TwilioCall(client, "CAcb")
        call.start()
        for key in ("0", "1", "0612345678", "1"):
            call.press(key)
        log_in(client, "tanaka")
        page = client.get("/console/voice/inbox")
        assert "折り返し依頼" in page.text and "0612345678" in page.text


def test_call_list_detail_and_daily_numbers(make_app: AppFactory) -> None:
    with staff_client(make_app) as client:
        answered = TwilioCall(client, "CAlist1")
        answered.start()
        answered.say("住民税の納期はいつですか")
        answered.say("ありません")
        transferred = TwilioCall(client, "CAlist2")
        transferred.start()
        transferred.press("0")
        log_in(client, "tanaka")
        listing = client.get("/console/voice/calls")
        assert listing.status_code == 200 and "AIで解決" in listing.text and "職員へ転送" in listing.text
        with client.app.state.db_sessions() as s:  # type: ignore[attr-defined]
            call_id = s.scalar(select(Call.id).where(Call.call_sid == "CAlist1"))
        detail = client.get(f"/console/voice/calls/{call_id}")
        assert detail.status_code == 200 and "住民税の納期はいつですか" in detail.text and "JUMIN-001" in detail.text
        assert client.get("/console/voice/calls/99999").status_code == 404
        dashboard = client.get("/console/")
        assert "税の電話AI応答" in dashboard.text and "未対応の引き継ぎ" in dashboard.text
