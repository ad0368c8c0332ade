"""The Media Stream websocket (``/voice/stream``) and how a `stream` call is connected to it.

The route only moves bytes: text frames go through :func:`voice.stream_dispatch.dispatch_stream` (the
loop the softphone shares) to :class:`voice.stream_session.StreamSession`, and the session's outbound
messages → :func:`voice.media_protocol.serialize`. Authentication: the ``start`` message must carry the
one-time token that the signed ``/voice/incoming`` webhook (or a signed call update) issued for
this CallSid; when Twilio's ``X-Twilio-Signature`` is present on the upgrade request it is checked
too (over the wss URL, as Twilio signs Media Stream connections).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, WebSocket
from twilio.request_validator import RequestValidator

from voice.calls import Handled
from voice.events import Listen
from voice.media_protocol import OutboundMessage, Start, serialize
from voice.stream_dispatch import close_socket, dispatch_stream, flow_handler, open_session, socket_receiver
from voice.stream_runtime import StreamRuntime, stream_runtime
from voice.stream_session import EventHandler, StreamSession
from voice.stream_token import StreamTokenError
from voice.stream_twiml import STREAM_PATH, listen_from_parameters
from voice.web import use_stream_entry
from voice.wiring import VoiceRuntime, voice_runtime

log = logging.getLogger("madoguchi.voice.stream")
ASR_PATH = "stream"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings
    warm: asyncio.Task[None] | None = None
    if settings.voice_asr == "stream":  # load models and warm recognizers before the first call
        warm = asyncio.create_task(stream_runtime(app.state).warm_up())
    yield
    if warm is not None and not warm.done():
        warm.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await warm
    runtime: StreamRuntime | None = getattr(app.state, "voice_stream", None)
    if runtime is not None:
        await runtime.aclose()


router = APIRouter(include_in_schema=False, lifespan=_lifespan)


def _stream_entry(rt: VoiceRuntime, handled: Handled, request: Request) -> str:
    """TwiML for a new `stream` call: the greeting, then <Connect><Stream> instead of <Gather>."""
    return stream_runtime(request.app.state).render(rt, handled.actions, handled.call_sid, handled.seq)


use_stream_entry(_stream_entry)


def _upgrade_signature_ok(websocket: WebSocket, settings: Any) -> bool:
    signature = websocket.headers.get("x-twilio-signature")
    if signature is None:
        return True  # the token in the start message is the check (the stand-ins do not sign upgrades)
    base = settings.public_base_url.rstrip("/")
    url = ("wss://" + base[len("https://"):]) if base.startswith("https://") else (
        "ws://" + base[len("http://"):] if base.startswith("http://") else base)
    url += websocket.url.path + (f"?{websocket.url.query}" if websocket.url.query else "")
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    return bool(validator.validate(url, {}, signature))


async def start_phone_stream(runtime: StreamRuntime, rt: VoiceRuntime, start: Start, handle: EventHandler,
                             send: Callable[[OutboundMessage], Awaitable[None]]) -> StreamSession | None:
    """Twilio's ``start``: redeem the one-time token (StreamTokenError when it is not valid for this CallSid),
    then open a session listening as the TwiML said. Without a recognizer the caller hears an apology and
    the call is hung up by a call update rather than left silent (None)."""
    runtime.tokens.redeem(start.custom_parameters.get("token", ""), start.call_sid)
    listen: Listen = listen_from_parameters(start.custom_parameters)
    session = runtime.new_session(rt, start, listen, handle, send)
    if await open_session(session, path=ASR_PATH) is not None:
        await runtime.apologize_and_hang_up(rt, start.call_sid)
        return None
    return session


@router.websocket(STREAM_PATH)
async def media_stream(websocket: WebSocket) -> None:
    app_state = websocket.app.state
    settings = app_state.settings
    if not _upgrade_signature_ok(websocket, settings):
        log.warning("media stream rejected: bad signature on upgrade")
        await websocket.close(code=1008)
        return
    await websocket.accept()
    runtime = stream_runtime(app_state)
    rt = voice_runtime(app_state)
    send_lock = asyncio.Lock()

    async def send(message: OutboundMessage) -> None:
        async with send_lock:
            await websocket.send_text(serialize(message))

    handle = flow_handler(rt, ASR_PATH)

    async def start_call(start: Start) -> StreamSession | None:
        try:
            return await start_phone_stream(runtime, rt, start, handle, send)
        except StreamTokenError as exc:
            log.warning("media stream rejected call=%s: %s", start.call_sid, exc)
            await close_socket(websocket, code=1008)
            return None

    try:
        await dispatch_stream(socket_receiver(websocket), start_call, runtime, path=ASR_PATH)
    finally:
        await close_socket(websocket)
