"""The chat gateway (HTTP edge): residents' widget API, the widget script, a demo page, analytics.

Routes: POST /api/routing/chat, POST /api/routing/feedback, GET /routing/widget.js, GET /routing/demo,
GET /api/routing/analytics (staff), and the console's analytics page (``routing.analytics_console``).
Personal information is masked before anything is logged, stored or forwarded to Rasa.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.settings import Settings
from core.users import Role
from core.web.auth import StaffUser, require_role
from core.web.csrf import csrf_exempt
from core.web.deps import app_settings, db_session
from core.web.ratelimit import Limit, RateLimiter
from routing.analytics_console import router as console_router
from routing.analytics_queries import period_analytics
from routing.analytics_store import DatabaseAnalytics, tokyo_day
from routing.chat import ChatReply, ChatService, Masker
from routing.conversations import ConversationStore
from routing.errors import RasaError
from routing.wiring import HelpLine, RoutingConfig, build_routing

STATIC = Path(__file__).parent / "static"
MAX_MESSAGE_CHARS = 400
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PER_SESSION = Limit(max_events=20, window_seconds=60)
PER_ADDRESS = Limit(max_events=60, window_seconds=60)
# Municipal pages on other origins embed the widget; the residents' API sends no cookies, so any origin may call it.
CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers": "content-type",
    "access-control-max-age": "600",
}
# The demo page: the widget's styles live in a <style> element inside its Shadow DOM.
DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

router = APIRouter()
router.include_router(console_router)
_build_lock = threading.Lock()


class ChatRequest(BaseModel):
    session_id: str = Field(min_length=8, max_length=64)
    message: str = Field(min_length=1)


class FeedbackRequest(BaseModel):
    session_id: str = Field(min_length=8, max_length=64)
    helpful: bool


def chat_service(request: Request, settings: Settings = Depends(app_settings)) -> ChatService:
    """Built on first use and kept on the app (the masker loads a language model)."""
    state = request.app.state
    with _build_lock:
        service: ChatService | None = getattr(state, "routing_chat", None)
        if service is None:
            masker: Masker | None = getattr(state, "routing_masker", None)
            if masker is None:
                from routing.masker import DetectionMasker

                masker = DetectionMasker()
            services = build_routing(
                RoutingConfig(settings.rasa_url, settings.windows_path, settings.needs_path,
                              settings.rasa_timeout_seconds)
            )
            store = ConversationStore()
            # An app without a database (a bare gateway) keeps the in-process counts only.
            sessions = getattr(state, "db_sessions", None)
            analytics = DatabaseAnalytics(sessions, settings.routing_analytics_retention_days) if sessions else None
            service = ChatService(services.router, services.client, services.directory, masker, store, analytics)
            state.routing_chat, state.routing_store, state.routing_masker = service, store, masker
            state.routing_client, state.routing_help_line = services.client, services.help_line
        return service


def unavailable_message(help_line: HelpLine | None) -> str:
    """The 503 text: the city's all-round window (or general line) from its own windows file."""
    call = (f"急ぎの場合は{help_line.name}（{help_line.phone}、{help_line.hours}）へお電話ください。"
            if help_line is not None else "")
    return f"ただいま案内を表示できません。{call}命に関わるときは 110番・119番 へ。"


def _limit(request: Request, session_id: str) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    address = request.client.host if request.client else "unknown"
    for scope, key, limit in (("routing.session", session_id, PER_SESSION), ("routing.ip", address, PER_ADDRESS)):
        wait = limiter.retry_after(scope, key, limit)
        if wait > 0:
            raise HTTPException(
                429, "メッセージが続けて送られました。少し待ってからもう一度送ってください。",
                headers={**CORS, "Retry-After": str(int(wait) + 1)},
            )
    for scope, key, limit in (("routing.session", session_id, PER_SESSION), ("routing.ip", address, PER_ADDRESS)):
        limiter.hit(scope, key, limit)


@router.options("/api/routing/chat")
@router.options("/api/routing/feedback")
def preflight() -> Response:
    return Response(status_code=204, headers=CORS)


@router.post("/api/routing/chat")
@csrf_exempt("residents' widget: cross-origin JSON, no cookies; the session id is in the body, not a staff session")
def chat(
    body: ChatRequest, request: Request, response: Response, service: ChatService = Depends(chat_service)
) -> dict[str, Any]:
    response.headers.update(CORS)
    if not SESSION_ID.match(body.session_id):
        raise HTTPException(400, "セッションの形式が正しくありません。ページを読み込み直してください。", headers=CORS)
    text = body.message.strip()
    if not text:
        raise HTTPException(400, "メッセージを入力してください。", headers=CORS)
    if len(text) > MAX_MESSAGE_CHARS:
        raise HTTPException(400, f"メッセージは{MAX_MESSAGE_CHARS}文字以内で入力してください。", headers=CORS)
    _limit(request, body.session_id)
    try:
        reply = service.handle(body.session_id, text)
    except RasaError as exc:
        help_line: HelpLine | None = getattr(request.app.state, "routing_help_line", None)
        raise HTTPException(503, unavailable_message(help_line), headers=CORS) from exc
    return _public(reply)


@router.post("/api/routing/feedback")
@csrf_exempt("residents' widget: cross-origin JSON, no cookies; the session id is in the body, not a staff session")
def feedback(
    body: FeedbackRequest, request: Request, response: Response, service: ChatService = Depends(chat_service)
) -> dict[str, bool]:
    response.headers.update(CORS)
    return {"recorded": service.feedback(body.session_id, body.helpful)}


@router.get("/api/routing/analytics")
def analytics(days: int = Query(30, ge=1, le=366), _user: StaffUser = Depends(require_role(Role.STAFF)),
              session: Session = Depends(db_session)) -> dict[str, Any]:
    """The last ``days`` Tokyo days from the database (counts only, no question text)."""
    data = period_analytics(session, tokyo_day(utcnow()), days, max_questions=0)
    totals = data.totals
    return {
        "first_day": data.first.isoformat(), "last_day": data.last.isoformat(),
        "conversations": totals.conversations, "messages": totals.messages, "crisis_messages": totals.crisis,
        "clarifying_questions": totals.clarifying, "out_of_scope": totals.out_of_scope,
        "windows_recommended": dict(data.windows), "helpful": totals.helpful, "not_helpful": totals.not_helpful,
    }


@router.get("/routing/widget.js")
def widget_script() -> FileResponse:
    return FileResponse(
        STATIC / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"cache-control": "public, max-age=300", "access-control-allow-origin": "*",
                 "cross-origin-resource-policy": "cross-origin"},
    )


@router.get("/routing/demo", response_class=HTMLResponse)
def demo_page() -> HTMLResponse:
    return HTMLResponse(
        (STATIC / "demo.html").read_text(encoding="utf-8"), headers={"content-security-policy": DEMO_CSP}
    )


def _public(reply: ChatReply) -> dict[str, Any]:
    """The resident-facing schema: replies, quick-reply buttons and window cards, never raw text."""
    return {
        "texts": list(reply.texts),
        "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
        "windows": [dataclasses.asdict(card) for card in reply.windows],
        "crisis": reply.crisis,
        "crisis_lines": [dataclasses.asdict(card) for card in reply.crisis_lines],
        "notices": list(reply.notices),
    }
