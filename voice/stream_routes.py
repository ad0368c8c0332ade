"""The Media Stream websocket (``/voice/stream``) and how a `stream` call is connected to it.

The route only moves bytes: text frames → :func:`voice.media_protocol.parse_message` →
:class:`voice.stream_session.StreamSession`, and the session's outbound messages →
:func:`voice.media_protocol.serialize`. Authentication: the ``start`` message must carry the
one-time token that the signed ``/voice/incoming`` webhook (or a signed call update) issued for
this CallSid; when Twilio's ``X-Twilio-Signature`` is present on the upgrade request it is checked
too (over the wss URL, as Twilio signs Media Stream connections).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, WebSocket, WebSocketDisconnect
from twilio.request_validator import RequestValidator

from voice.asr.errors import AsrError
from voice.calls import Handled
from voice.events import CallEvent, Listen
from voice.media_protocol import (
    Dtmf,
    MarkReached,
    Media,
    MediaProtocolError,
    OutboundMessage,
    Start,
    Stop,
    parse_message,
    serialize,
)
from voice.stream_runtime import StreamRuntime, handle_call_event, stream_runtime
from voice.stream_session import FlowReply, StreamSession
from voice.stream_token import StreamTokenError
from voice.stream_twiml import STREAM_PATH, listen_from_parameters
from voice.web import use_stream_entry
from voice.wiring import VoiceRuntime, voice_runtime

log = logging.getLogger("madoguchi.voice.stream")


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
    session: StreamSession | None = None
    send_lock = asyncio.Lock()
    hung_up = True

    async def send(message: OutboundMessage) -> None:
        async with send_lock:
            await websocket.send_text(serialize(message))

    async def handle(call_sid: str, event: CallEvent) -> FlowReply:
        handled = await handle_call_event(rt, call_sid, event, "stream")
        if handled is None:
            return FlowReply([])
        log.info("stream event call=%s seq=%s event=%s state=%s", call_sid, handled.seq, type(event).__name__,
                 handled.state.value)
        return FlowReply(handled.actions, handled.seq)

    try:
        while True:
            try:
                event = parse_message(await websocket.receive_text())
            except MediaProtocolError as exc:
                log.warning("media stream frame refused: %s", exc)
                continue
            if isinstance(event, Media):
                if session is not None:
                    await session.on_media(event)
            elif isinstance(event, Start):
                if session is not None:
                    continue
                try:
                    runtime.tokens.redeem(event.custom_parameters.get("token", ""), event.call_sid)
                except StreamTokenError as exc:
                    log.warning("media stream rejected call=%s: %s", event.call_sid, exc)
                    await websocket.close(code=1008)
                    hung_up = False
                    return
                listen: Listen = listen_from_parameters(event.custom_parameters)
                session = runtime.new_session(rt, event, listen, handle, send)
                try:
                    await session.open()
                except AsrError as exc:  # no recognizer: apologize and end the call rather than go silent
                    log.error("media stream call=%s: ASR unavailable: %s (retryable=%s)", event.call_sid, exc,
                              exc.retryable)
                    session.handed_over = True
                    await runtime.apologize_and_hang_up(rt, event.call_sid)
                    break
                log.info("media stream started call=%s", event.call_sid)
            elif isinstance(event, Dtmf):
                if session is not None:
                    await session.on_dtmf(event)
            elif isinstance(event, MarkReached):
                if session is not None:
                    await session.on_mark(event)
            elif isinstance(event, Stop):
                break
    except WebSocketDisconnect:
        pass
    finally:
        if session is not None:
            runtime.finished(session)
            await session.close(caller_hung_up=hung_up)
            log.info("media stream ended call=%s turns=%s barge_ins=%s", session.call_sid, len(session.timings),
                     session.barge_ins)
