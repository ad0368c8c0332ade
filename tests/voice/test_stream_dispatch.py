"""The one dispatch loop both stream transports share (voice/stream_dispatch.py), driven by a scripted
sequence of Media Stream frames: a phone call's (Twilio start with a one-time token) and the softphone's
(a browser start, a server-named call with a spoken greeting). Real StreamSession, real
voice.media_protocol, real call flow and SQLite, real Vosk (Korean model: mechanics only) and real
pyopenjtalk TTS; no socket, since what is under test is what the loop does with each frame."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import session_scope
from tests.voice.asr_support import korean_model_path, silence_ulaw
from tests.voice.conftest import AppFactory
from tests.voice.gather_harness import ACCOUNT
from tests.voice.stream_harness import stream_of
from voice.asr.base import AsrEngine
from voice.asr.vosk_local import VoskEngine
from voice.events import CallerPressed, CallEvent
from voice.media_protocol import (
    Connected,
    Dtmf,
    MarkReached,
    Media,
    OutboundMark,
    OutboundMessage,
    Start,
    Stop,
    serialize_inbound,
)
from voice.models import Call
from voice.softphone import start_softphone_call
from voice.stream_dispatch import StreamEnd, dispatch_stream, flow_handler
from voice.stream_routes import start_phone_stream
from voice.stream_runtime import StreamRuntime
from voice.stream_session import FlowReply, StreamSession
from voice.wiring import VoiceRuntime

pytestmark = pytest.mark.slow
MEDIA_FRAMES = 10  # 20 ms each


@pytest.fixture(scope="module")
def korean_engine() -> VoskEngine:
    engine = VoskEngine(korean_model_path(), pool_size=1)
    engine.warm_pool_sync()
    return engine


@dataclass
class Trace:
    """What reached the session and the call flow, comparable across transports."""

    end: StreamEnd | None = None
    flow_events: list[str] = field(default_factory=list)
    audio_ms: int = -1  # the session's audio clock: 20 ms per inbound media frame it was given
    playing_before_mark: bool = False
    playing_after_mark: bool = True
    closed: bool = False
    active_after: int = -1
    finished_sessions: int = -1
    refused_frames: int = 0
    outcome: str | None = None


@dataclass
class Line:
    """The transport-specific side: the start frame and how a start becomes a session."""

    start: Start
    start_call: Callable[..., object]
    call_sid: Callable[[StreamSession], str]


def describe(event: CallEvent) -> str:
    return f"{type(event).__name__}({event.digits})" if isinstance(event, CallerPressed) else type(event).__name__


async def run_script(rt: VoiceRuntime, runtime: StreamRuntime, transport: str, caplog: pytest.LogCaptureFixture,
                     db_sessions: object) -> Trace:
    trace = Trace()
    sent: list[OutboundMessage] = []
    notices: list[str] = []
    sessions: list[StreamSession] = []
    real_handle = flow_handler(rt, transport)

    replied_from: list[int] = []  # where in `sent` the reply to the key starts

    async def handle(call_sid: str, event: CallEvent) -> FlowReply:
        trace.flow_events.append(describe(event))
        reply = await real_handle(call_sid, event)
        replied_from.append(len(sent))
        return reply

    async def send(message: OutboundMessage) -> None:
        sent.append(message)

    async def send_text(text: str) -> None:
        notices.append(text)

    if transport == "stream":
        handled = await asyncio.to_thread(rt.service.start, "CAdispatch", "+81312345678", "stream")
        _url, params = stream_of(runtime.render(rt, handled.actions, "CAdispatch", handled.seq))
        start = Start(stream_sid="MZ" + "d" * 32, call_sid="CAdispatch", account_sid=ACCOUNT,
                      custom_parameters=params)

        async def start_call(event: Start) -> StreamSession | None:
            session = await start_phone_stream(runtime, rt, event, handle, send)
            sessions.extend([session] if session else [])
            return session
    else:
        start = Start(stream_sid="MZbrowser", call_sid="", account_sid="")

        async def start_call(event: Start) -> StreamSession | None:
            session = await start_softphone_call(rt, runtime, event, handle, send, send_text)
            sessions.extend([session] if session else [])
            return session

    sid = start.stream_sid

    async def frames() -> AsyncIterator[str | bytes]:
        yield serialize_inbound(Connected("Call", "1.0.0"))
        yield serialize_inbound(start)
        for chunk in range(1, MEDIA_FRAMES + 1):
            yield serialize_inbound(Media(sid, silence_ulaw(20), timestamp_ms=chunk * 20, chunk=chunk))
        yield "not json {"
        yield b'{"event": "dtmf", "streamSid": "MZ"}'  # no dtmf object (and a binary frame)
        yield serialize_inbound(Dtmf(sid, "9"))  # 9: say that again (a spoken reply, the call goes on)

        def reply_spoken() -> bool:
            return bool(replied_from) and any(isinstance(m, OutboundMark) for m in sent[replied_from[0]:])

        async with asyncio.timeout(60):
            while not reply_spoken():
                await asyncio.sleep(0.02)
        trace.playing_before_mark = sessions[0].playing
        for mark in [m for m in sent if isinstance(m, OutboundMark)]:  # played out: every mark comes back
            yield serialize_inbound(MarkReached(sid, mark.name))
        yield serialize_inbound(Stop(sid, start.call_sid))
        yield serialize_inbound(Media(sid, silence_ulaw(20), timestamp_ms=0))  # after stop: never read

    script = frames()

    async def receive() -> str | bytes | None:
        return await anext(script, None)

    with caplog.at_level(logging.WARNING, logger="madoguchi.voice.stream"):
        trace.end = await dispatch_stream(receive, start_call, runtime, path=transport)
    [session] = sessions
    trace.audio_ms = session.now_ms
    trace.playing_after_mark = session.playing
    trace.closed = session.closed
    trace.active_after = len(runtime.active)
    trace.finished_sessions = runtime.finished_sessions
    trace.refused_frames = sum(f"{transport} frame refused" in r.getMessage() for r in caplog.records)
    with session_scope(db_sessions) as s:  # type: ignore[arg-type]
        trace.outcome = s.scalar(select(Call.outcome).where(Call.call_sid == session.call_sid))
    return trace


def new_runtimes(make_app: AppFactory, engine: AsrEngine) -> tuple[VoiceRuntime, StreamRuntime, object]:
    app = make_app()
    runtime = StreamRuntime(app.state.settings, engine=engine, prewarm_tts=False)
    return app.state.voice, runtime, app.state.db_sessions


def test_both_transports_feed_the_same_session_calls_through_the_one_dispatch_loop(
        make_app: AppFactory, korean_engine: VoskEngine, caplog: pytest.LogCaptureFixture) -> None:
    traces = {}
    for transport in ("stream", "softphone"):
        rt, runtime, db_sessions = new_runtimes(make_app, korean_engine)
        caplog.clear()
        traces[transport] = asyncio.run(run_script(rt, runtime, transport, caplog, db_sessions))

    expected = Trace(
        end=StreamEnd.STOPPED,
        flow_events=["CallerPressed(9)", "HangUp"],  # the key once, then the stop as a hang-up
        audio_ms=MEDIA_FRAMES * 20,  # every media frame, none after the stop
        playing_before_mark=True, playing_after_mark=False,  # the mark reached the session
        closed=True, active_after=0, finished_sessions=1,
        refused_frames=2,  # both malformed frames logged and skipped; the call went on
        outcome="abandoned",
    )
    assert traces["stream"] == expected
    assert traces["softphone"] == expected


def test_a_refused_start_ends_the_stream_without_a_session(make_app: AppFactory, tmp_path: Path) -> None:
    rt, runtime, _db = new_runtimes(make_app, VoskEngine(tmp_path / "no-such-model", pool_size=1))
    notices: list[str] = []

    async def send(message: OutboundMessage) -> None:
        raise AssertionError("nothing is sent to a refused stream")

    async def send_text(text: str) -> None:
        notices.append(text)

    async def start_call(event: Start) -> StreamSession | None:
        return await start_softphone_call(rt, runtime, event, flow_handler(rt, "softphone"), send, send_text)

    script = iter([serialize_inbound(Media("MZbrowser", silence_ulaw(20), timestamp_ms=20)),  # before start: dropped
                   serialize_inbound(Start(stream_sid="MZbrowser", call_sid="", account_sid="")),
                   serialize_inbound(Dtmf("MZbrowser", "0"))])

    async def receive() -> str | bytes | None:
        return next(script, None)

    assert asyncio.run(dispatch_stream(receive, start_call, runtime, path="softphone")) is StreamEnd.REFUSED
    assert next(script, None) is not None  # the loop stopped at the refused start
    assert len(notices) == 1 and '"kind":"error"' in notices[0]
    assert runtime.active == set() and runtime.finished_sessions == 0
