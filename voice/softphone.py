"""The softphone: staff try the voice bot from the console, with the browser's microphone instead of Twilio.

The page (``/console/softphone``) encodes microphone audio to 8 kHz μ-law in JavaScript and speaks
Twilio's Media Stream JSON over ``/console/softphone/ws``; this module feeds those messages, through the
same loop (:func:`voice.stream_dispatch.dispatch_stream`), to the same
:class:`voice.stream_session.StreamSession` a phone call uses (endpointing → ASR → call flow → TTS), and
the page plays back the outbound ``media`` frames. What differs from a phone call:

- the websocket is opened by a signed-in staff member (session cookie, role staff, same origin), not by a
  signed webhook with a one-time token; the server names the call (``CAsoftphone…``) and ignores the
  CallSid the browser sends;
- the greeting is spoken as TTS frames (on the phone it is TwiML ``<Say>``), and replies are always
  ``media``: there is no Twilio call to update;
- a transfer or hang-up is not a call update but its spoken text followed by a ``softphone`` message
  telling the page what would happen on the phone. ``softphone`` messages also carry what the bot said,
  for the page's log. They are the only non-Twilio messages on this socket.

Softphone calls are real call records (asr_path ``softphone``), so a transfer shows up in the handoff inbox
like a phone call's would: that is what staff are there to try.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, WebSocket
from fastapi.responses import FileResponse, Response

from core.users import Role
from core.web.auth import StaffUser, optional_user, require_role
from core.web.console import register_console_link
from core.web.templates import add_template_dir, render
from voice.asr.base import AsrEngine
from voice.calls import Handled
from voice.events import (
    Action,
    CallEvent,
    Enqueue,
    HangUp,
    Hangup,
    Listen,
    ListenFor,
    Say,
    Transfer,
    action_from_dict,
    action_to_dict,
)
from voice.media_protocol import (
    OutboundMark,
    OutboundMedia,
    OutboundMessage,
    Start,
    serialize,
)
from voice.stream_dispatch import close_socket, dispatch_stream, flow_handler, open_session, socket_receiver
from voice.stream_runtime import StreamRuntime, stream_runtime
from voice.stream_session import EventHandler, FlowReply, StreamSession
from voice.tts import split_sentences
from voice.wiring import VoiceRuntime, voice_runtime

log = logging.getLogger("madoguchi.voice.softphone")
BASE = "/console/softphone"
STATIC = Path(__file__).parent / "static"
ASR_PATH = "softphone"
add_template_dir(Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
staff = require_role(Role.STAFF)
register_console_link("ソフトフォン（試し通話）", BASE, order=22)

NO_ASR_MESSAGE = {
    "vosk": ("音声認識のモデルがインストールされていません。サーバーで `madoguchi models fetch vosk-ja` を実行して"
             "日本語のVoskモデル（vosk-model-small-ja-0.22）を入れるか、MADOGUCHI_ASR_ENGINE=whisper を設定して"
             " `make voice-models` で whisper-base を用意してから、アプリを再起動してください。"),
    "whisper": ("音声認識のモデル（whisper-base）がありません。サーバーで `make voice-models` を実行してから、"
                "アプリを再起動してください。"),
    "vosk-server": "音声認識サーバー（vosk-server）に接続できません。MADOGUCHI_VOSK_SERVER_URL を確認してください。",
}
FAILED_MESSAGE = "通話を開始できませんでした。しばらくしてからもう一度お試しください。"


def missing_model_message(engine: AsrEngine) -> str | None:
    """A Japanese explanation when the configured engine's model is not on disk (None: looks ready).
    vosk-server cannot be checked without connecting; its failure is reported when a call starts."""
    path = getattr(engine, "model_path", None)
    if engine.name == "vosk" and isinstance(path, Path):
        return None if (path / "am").is_dir() or (path / "conf").is_dir() else NO_ASR_MESSAGE["vosk"]
    model_dir = getattr(engine, "model_dir", None)
    if engine.name == "whisper" and isinstance(model_dir, Path):
        return None if (model_dir / "model.bin").is_file() else NO_ASR_MESSAGE["whisper"]
    return None


# ---------------------------------------------------------------- the page and its scripts


def _static(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/javascript",
                        headers={"cache-control": "no-cache"})


@router.get(BASE)
def page(request: Request, _user: StaffUser = Depends(staff)) -> Response:
    runtime = stream_runtime(request.app.state)
    return render(request, "voice/softphone.html", {"asr_problem": missing_model_message(runtime.engine)},
                  headers={"permissions-policy": "camera=(), microphone=(self), geolocation=()"})


@router.get(f"{BASE}/softphone.js")
def script() -> FileResponse:
    return _static("softphone.js")


@router.get(f"{BASE}/capture-worklet.js")
def worklet() -> FileResponse:
    return _static("capture-worklet.js")


# ---------------------------------------------------------------- the websocket


def _notice(kind: str, **fields: Any) -> str:
    """A ``softphone`` message: something the page shows that Twilio's protocol has no word for."""
    return json.dumps({"event": "softphone", "kind": kind, **fields}, ensure_ascii=False, separators=(",", ":"))


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser; without a cookie it is refused anyway
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


def _signed_in_staff(websocket: WebSocket) -> StaffUser | None:
    factory = websocket.app.state.db_sessions
    with factory() as db:
        # optional_user reads only what requests and websockets share (session, state, app)
        user = optional_user(cast(Request, websocket), db)
        db.commit()
    return user if user is not None and user.can(Role.STAFF) else None


class SoftphoneLine:
    """Stands in for Twilio's REST API on a softphone call: a call update (transfer, hang-up) is spoken as
    TTS audio, then the page is told what would happen on the phone."""

    def __init__(self, runtime: StreamRuntime, send_text: Any, stream_sid: str) -> None:
        self._runtime = runtime
        self._send_text = send_text
        self._stream_sid = stream_sid
        self.ended = asyncio.Event()

    @staticmethod
    def render(_call_sid: str, actions: list[Action], _seq: int) -> str:
        return json.dumps([action_to_dict(a) for a in actions], ensure_ascii=False)

    async def update_call(self, call_sid: str, twiml: str) -> None:
        actions = [action_from_dict(a) for a in json.loads(twiml)]
        chunk = self._runtime.config.media_chunk_ms * 8
        for text in (a.text for a in actions if isinstance(a, Say)):
            for sentence in split_sentences(text):
                audio = await asyncio.to_thread(self._runtime.tts.synthesize_sentence, sentence)
                for i in range(0, len(audio), chunk):
                    await self._send_text(serialize(OutboundMedia(self._stream_sid, audio[i:i + chunk])))
        await self._send_text(serialize(OutboundMark(self._stream_sid, "softphone-end")))
        leave = next((a for a in actions if isinstance(a, Transfer | Enqueue | Hangup)), None)
        if isinstance(leave, Transfer | Enqueue):
            await self._send_text(_notice("transferred", department=leave.department, whisper=leave.whisper))
        else:
            await self._send_text(_notice("ended"))
        log.info("softphone call=%s left the bot (%s)", call_sid, type(leave).__name__)
        self.ended.set()


@router.websocket(f"{BASE}/ws")
async def softphone_socket(websocket: WebSocket) -> None:
    if not _same_origin(websocket) or await asyncio.to_thread(_signed_in_staff, websocket) is None:
        log.warning("softphone websocket refused: no staff session or another origin")
        await websocket.close(code=1008)
        return
    await websocket.accept()
    app_state = websocket.app.state
    send_lock = asyncio.Lock()

    async def send_text(text: str) -> None:
        async with send_lock:
            await websocket.send_text(text)

    async def send(message: OutboundMessage) -> None:
        await send_text(serialize(message))

    try:
        rt: VoiceRuntime = await asyncio.to_thread(voice_runtime, app_state)
        runtime = stream_runtime(app_state)
    except Exception:
        log.exception("softphone: the voice runtime could not be built")
        await send_text(_notice("error", message=FAILED_MESSAGE))
        await close_socket(websocket)
        return

    async def said(event: CallEvent, handled: Handled) -> None:
        texts = [a.text for a in handled.actions if isinstance(a, Say)]
        if texts and not isinstance(event, HangUp):  # after a hang-up the page may be gone
            await send_text(_notice("said", text=texts))

    handle = flow_handler(rt, ASR_PATH, after=said)

    async def start_call(start: Start) -> StreamSession | None:
        return await start_softphone_call(rt, runtime, start, handle, send, send_text)

    try:
        await dispatch_stream(socket_receiver(websocket), start_call, runtime, path=ASR_PATH)
    finally:
        await close_socket(websocket)


async def start_softphone_call(rt: VoiceRuntime, runtime: StreamRuntime, browser_start: Start, handle: EventHandler,
                               send: Callable[[OutboundMessage], Awaitable[None]],
                               send_text: Callable[[str], Awaitable[None]]) -> StreamSession | None:
    """The browser's ``start``: a new call named by the server, greeted with TTS audio. None (after an
    ``error`` notice) when there is no speech model to listen with."""
    engine_problem = missing_model_message(runtime.engine)
    if engine_problem is not None:
        await send_text(_notice("error", message=engine_problem))
        return None
    call_sid = "CAsoftphone" + secrets.token_hex(10)
    start = dataclasses.replace(browser_start, call_sid=call_sid, stream_sid="MZsoftphone" + secrets.token_hex(10))
    handled = await asyncio.to_thread(rt.service.start, call_sid, None, ASR_PATH)
    listen = next((a for a in reversed(handled.actions) if isinstance(a, Listen)), None)
    line = SoftphoneLine(runtime, send_text, start.stream_sid)
    session = StreamSession(start=start, listen=listen or Listen(ListenFor.QUESTION), handle=handle,
                            engine=runtime.engine, send=send, updater=line, render_update=line.render,
                            tts=runtime.tts, config=dataclasses.replace(runtime.config, reply_mode="media"))
    if await open_session(session, path=ASR_PATH) is not None:
        await handle(call_sid, HangUp())  # the call record ends here; no caller spoke
        await send_text(_notice("error", message=NO_ASR_MESSAGE.get(runtime.engine.name, FAILED_MESSAGE)))
        return None
    await send_text(_notice("started", callSid=call_sid))
    said = [a.text for a in handled.actions if isinstance(a, Say)]
    if said:
        await send_text(_notice("said", text=said))
    await session.speak(FlowReply(handled.actions, handled.seq))
    return session

