"""Staff console pages for the voice bot: the handoff inbox, call list and detail, daily numbers.

Pages that show decrypted caller speech or callback numbers record an audit entry (which records were
viewed, by whom); marking a handoff done is CSRF-protected and audited.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.clock import to_tokyo, utcnow
from core.crypto import DataCipher
from core.users import Role
from core.web.auth import StaffUser, require_role
from core.web.console import register_console_link, register_dashboard_card
from core.web.csrf import verify_csrf
from core.web.deps import db_session
from core.web.templates import add_template_dir, render
from voice.models import Call, Handoff, Turn

BASE = "/console/voice"
add_template_dir(Path(__file__).parent / "templates")
router = APIRouter()
staff = require_role(Role.STAFF)
register_console_link("電話の引き継ぎ", f"{BASE}/inbox", order=20)
register_console_link("通話記録", f"{BASE}/calls", order=21)
OUTCOME_LABELS = {"resolved": "AIで解決", "transferred": "職員へ転送", "callback": "折り返し依頼",
                  "abandoned": "途中で切断", "unresolved": "未解決で終了", None: "通話中"}
REASON_LABELS = {"human_request": "職員を希望", "dtmf_zero": "0を押した", "transfer_faq": "職員対応のFAQ",
                 "misses": "2回答えられず", "low_confidence": "確信度が低い", "silence": "無音が続いた",
                 "not_helpful": "解決しなかった", "staff_unavailable": "職員が応答せず"}


def _cipher(request: Request) -> DataCipher:
    return DataCipher(request.app.state.settings.data_key.get_secret_value())


def _text(cipher: DataCipher, masked: str | None, encrypted: bytes | None) -> str:
    if masked:
        return masked
    return cipher.decrypt_text(encrypted) if encrypted else ""


@router.get(f"{BASE}/inbox")
def inbox(request: Request, user: StaffUser = Depends(staff), session: Session = Depends(db_session)) -> Response:
    cipher = _cipher(request)
    rows = session.execute(select(Handoff, Call.call_sid).join(Call).where(Handoff.status == "open")
                           .order_by(Handoff.created_at.desc()).limit(200)).all()
    items = []
    for h, call_sid in rows:
        items.append({"h": h, "call_sid": call_sid, "question": _text(cipher, h.question_masked, h.question_enc),
                      "transcript": json.loads(h.transcript_masked) if h.transcript_masked else
                      (json.loads(cipher.decrypt_text(h.transcript_enc)) if h.transcript_enc else []),
                      "callback": cipher.decrypt_text(h.callback_number_enc) if h.callback_number_enc else None,
                      "candidates": json.loads(h.candidates), "reason": REASON_LABELS.get(h.reason, h.reason)})
    shown = [i["h"].id for i in items]
    # The page refreshes itself; a view of the same handoffs by the same session is audited once.
    if shown and request.session.get("voice_inbox_audited") != shown:
        audit.record(session, user.username, "voice.inbox.view", "voice_handoff", "open", {"handoff_ids": shown})
        session.commit()
        request.session["voice_inbox_audited"] = shown
    return render(request, "voice/inbox.html", {"items": items, "done": request.query_params.get("done")})


@router.post(f"{BASE}/handoffs/{{handoff_id}}/done", dependencies=[Depends(verify_csrf)])
def mark_done(handoff_id: int, user: StaffUser = Depends(staff), session: Session = Depends(db_session)) -> Response:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HTTPException(status_code=404, detail="引き継ぎが見つかりません。")
    if handoff.status != "done":
        handoff.status, handoff.done_at, handoff.done_by = "done", utcnow(), user.username
        audit.record(session, user.username, "voice.handoff.done", "voice_handoff", handoff.id, {"kind": handoff.kind})
        session.commit()
    return RedirectResponse(f"{BASE}/inbox?done={handoff.id}", status_code=303)


@router.get(f"{BASE}/calls")
def calls(request: Request, _user: StaffUser = Depends(staff), session: Session = Depends(db_session)) -> Response:
    rows = session.scalars(select(Call).order_by(Call.started_at.desc()).limit(200)).all()
    return render(request, "voice/calls.html", {"calls": rows, "labels": OUTCOME_LABELS,
                                                "days": daily_numbers(session, days=14)})


@router.get(f"{BASE}/calls/{{call_id}}")
def call_detail(call_id: int, request: Request, user: StaffUser = Depends(staff),
                session: Session = Depends(db_session)) -> Response:
    call = session.get(Call, call_id)
    if call is None:
        raise HTTPException(status_code=404, detail="通話が見つかりません。")
    cipher = _cipher(request)
    turns = session.scalars(select(Turn).where(Turn.call_id == call.id).order_by(Turn.seq)).all()
    shown = [{"t": t, "text": _text(cipher, t.text_masked, t.text_enc)} for t in turns]
    handoffs = session.scalars(select(Handoff).where(Handoff.call_id == call.id)).all()
    audit.record(session, user.username, "voice.call.view", "voice_call", call.id, {"turns": len(turns)})
    session.commit()
    return render(request, "voice/call.html", {"call": call, "turns": shown, "handoffs": handoffs,
                                               "labels": OUTCOME_LABELS, "reasons": REASON_LABELS})


@dataclass
class DayNumbers:
    day: date
    calls: int = 0
    resolved: int = 0
    transferred: int = 0
    callback: int = 0
    abandoned: int = 0
    handling_seconds: float = 0.0
    ended: int = 0

    @property
    def average_handling(self) -> str:
        if not self.ended:
            return "—"
        seconds = round(self.handling_seconds / self.ended)
        return f"{seconds // 60}分{seconds % 60:02d}秒"


def daily_numbers(session: Session, days: int = 14, now: datetime | None = None) -> list[DayNumbers]:
    """Per Tokyo day: calls, resolved without staff, transferred, callbacks, average handling time."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    by_day: dict[date, DayNumbers] = defaultdict(lambda: DayNumbers(day=date.min))
    for started, ended, outcome in session.execute(
            select(Call.started_at, Call.ended_at, Call.outcome).where(Call.started_at >= since)):
        day = to_tokyo(started).date()
        n = by_day[day]
        n.day = day
        n.calls += 1
        if outcome in ("resolved", "transferred", "callback", "abandoned"):
            setattr(n, outcome, getattr(n, outcome) + 1)
        if ended is not None:
            n.ended += 1
            n.handling_seconds += (_aware(ended) - _aware(started)).total_seconds()
    return sorted(by_day.values(), key=lambda n: n.day, reverse=True)


def _aware(moment: datetime) -> datetime:
    return to_tokyo(moment)


def _card(_request: Request, session: Session) -> dict[str, Any]:
    open_count = session.scalar(select(func.count()).select_from(Handoff).where(Handoff.status == "open")) or 0
    today = daily_numbers(session, days=1)
    return {"open_handoffs": open_count, "today": today[0] if today else None}


register_dashboard_card("voice.today", "税の電話AI応答", "voice/card.html", order=20, context=_card)
