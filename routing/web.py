"""The chat gateway (HTTP edge): residents' widget API, the widget script, a demo page, analytics.

Routes: POST /api/routing/chat, POST /api/routing/feedback, GET /routing/widget.js, GET /routing/demo,
GET /api/routing/analytics (staff). Personal information is masked before anything is logged,
stored or forwarded to Rasa.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field

from core.settings import Settings
from core.users import Role
from core.web.auth import StaffUser, require_role
from core.web.csrf import csrf_exempt
from core.web.deps import app_settings
from core.web.ratelimit import Limit, RateLimiter
from routing.chat import ChatReply, ChatService, Masker
from routing.conversations import ConversationStore
from routing.errors import RasaError
from routing.wiring import RoutingConfig, build_routing

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
            service = ChatService(services.router, services.client, services.directory, masker, store)
            state.routing_chat, state.routing_store, state.routing_masker = service, store, masker
            state.routing_client = services.client
        return service


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
        raise HTTPException(
            503, "ただいま案内を表示できません。急ぎの場合は 24時間対応のみらいネット（000-0000-0010）へ"
            "お電話ください。命に関わるときは 110番・119番 へ。",
            headers=CORS,
        ) from exc
    return _public(reply)


@router.post("/api/routing/feedback")
@csrf_exempt("residents' widget: cross-origin JSON, no cookies; the session id is in the body, not a staff session")
def feedback(
    body: FeedbackRequest, request: Request, response: Response, service: ChatService = Depends(chat_service)
) -> dict[str, bool]:
    response.headers.update(CORS)
    store: ConversationStore = request.app.state.routing_store
    return {"recorded": store.record_feedback(body.session_id, body.helpful)}


@router.get("/api/routing/analytics")
def analytics(request: Request, _user: StaffUser = Depends(require_role(Role.STAFF))) -> dict[str, Any]:
    store: ConversationStore | None = getattr(request.app.state, "routing_store", None)
    if store is None:
        store = ConversationStore()
    return dataclasses.asdict(store.analytics())


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
