"""The inbound half of a Media Stream socket, shared by phone calls (``/voice/stream``) and the softphone.

Frames → :func:`voice.media_protocol.parse_message` → the call's :class:`voice.stream_session.StreamSession`
(media, dtmf, mark), until ``stop`` or the socket closes; then the session is closed as a hang-up (a
session that already handed the call over does not hang it up). What differs between the two transports
is passed in: how a ``start`` becomes a session (Twilio's one-time token, or a staff member's browser and
a server-named call) and what else a flow reply produces (the softphone's ``said`` notices).
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable

from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from voice.asr.errors import AsrError
from voice.calls import Handled
from voice.events import CallEvent
from voice.media_protocol import Dtmf, MarkReached, Media, MediaProtocolError, Start, Stop, parse_message
from voice.stream_runtime import StreamRuntime, handle_call_event
from voice.stream_session import EventHandler, FlowReply, StreamSession
from voice.wiring import VoiceRuntime

log = logging.getLogger("madoguchi.voice.stream")

Receive = Callable[[], Awaitable[str | bytes | None]]  # the next frame; None once the socket has closed
StartCall = Callable[[Start], Awaitable[StreamSession | None]]  # an opened session, or None: refuse the stream
AfterEvent = Callable[[CallEvent, Handled], Awaitable[None]]


class StreamEnd(enum.Enum):
    """Why the inbound side of a stream ended."""

    STOPPED = "stopped"  # the other side sent ``stop``
    DISCONNECTED = "disconnected"  # the socket closed without a ``stop``
    REFUSED = "refused"  # the start was refused (no call on this stream)


async def dispatch_stream(receive: Receive, start_call: StartCall, runtime: StreamRuntime, *,
                          path: str) -> StreamEnd:
    """Feed one stream's inbound messages to its session; return when the stream is over.

    Malformed frames are logged and skipped (the call goes on); a second ``start`` is ignored, as are
    media, dtmf and marks before the first one. ``path`` names the transport in logs.
    """
    session: StreamSession | None = None
    end = StreamEnd.DISCONNECTED
    try:
        while (frame := await receive()) is not None:
            try:
                event = parse_message(frame)
            except MediaProtocolError as exc:
                log.warning("%s frame refused: %s", path, exc)
                continue
            if isinstance(event, Stop):
                end = StreamEnd.STOPPED
                break
            if isinstance(event, Start):
                if session is None:
                    session = await start_call(event)
                    if session is None:
                        end = StreamEnd.REFUSED
                        break
                    runtime.started(session)
                    log.info("%s call started call=%s", path, session.call_sid)
            elif session is None:
                continue  # nothing to feed yet (Connected, unknown events, or input before start)
            elif isinstance(event, Media):
                await session.on_media(event)
            elif isinstance(event, Dtmf):
                await session.on_dtmf(event)
            elif isinstance(event, MarkReached):
                await session.on_mark(event)
    finally:
        if session is not None:
            runtime.finished(session)
            await session.close(caller_hung_up=True)
            log.info("%s call ended call=%s end=%s turns=%s barge_ins=%s", path, session.call_sid, end.value,
                     len(session.timings), session.barge_ins)
    return end


async def open_session(session: StreamSession, *, path: str) -> AsrError | None:
    """Acquire the session's recognizer. On failure the session is closed without hanging the call up
    (the transport ends the call its own way: an apology on the phone, a notice on the softphone)."""
    try:
        await session.open()
    except AsrError as exc:
        log.error("%s call=%s: ASR unavailable: %s (retryable=%s)", path, session.call_sid, exc, exc.retryable)
        session.handed_over = True
        await session.close(caller_hung_up=False)
        return exc
    return None


def flow_handler(rt: VoiceRuntime, path: str, after: AfterEvent | None = None) -> EventHandler:
    """The session's way into the call flow: one event through :func:`handle_call_event`, logged, then
    ``after`` (what the transport adds to a reply) unless the flow refused the event."""

    async def handle(call_sid: str, event: CallEvent) -> FlowReply:
        handled = await handle_call_event(rt, call_sid, event, path)
        if handled is None:
            return FlowReply([])
        log.info("%s event call=%s seq=%s event=%s state=%s", path, call_sid, handled.seq, type(event).__name__,
                 handled.state.value)
        if after is not None:
            await after(event, handled)
        return FlowReply(handled.actions, handled.seq)

    return handle


def socket_receiver(websocket: WebSocket) -> Receive:
    """Text frames from a websocket (a binary frame is handed on as bytes: the parser decides)."""

    async def receive() -> str | bytes | None:
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):  # RuntimeError: the socket is already closed
            return None
        if message["type"] == "websocket.disconnect":
            return None
        text = message.get("text")
        return text if text is not None else bytes(message.get("bytes") or b"")

    return receive


async def close_socket(websocket: WebSocket, code: int = 1000) -> None:
    """Close the websocket unless either side already did (the peer may be closing it at the same time)."""
    if websocket.application_state != WebSocketState.CONNECTED or websocket.client_state != WebSocketState.CONNECTED:
        return
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.close(code=code)
