"""Vosk in process: the default engine of the ``stream`` path.

One :class:`vosk.Model` per process (it is read-only and shared by all recognizers). A fresh
``KaldiRecognizer`` is slow on its first utterance, so the engine keeps a pool of recognizers that
have already decoded a warm-up utterance. Vosk's C calls release the GIL (cffi), so recognizers of
different calls run in parallel on worker threads.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voice.asr.base import AsrEngine, Recognizer, Transcript
from voice.asr.errors import AsrFailed, AsrModelMissing

_model_lock = threading.Lock()
_models: dict[Path, Any] = {}


def load_model(path: Path) -> Any:
    """Load (once per process) the Vosk model at ``path``."""
    import vosk

    path = path.resolve()
    with _model_lock:
        if path not in _models:
            if not (path / "am").is_dir() and not (path / "conf").is_dir():
                raise AsrModelMissing(
                    f"no Vosk model at {path}; run `madoguchi models fetch vosk-ja` "
                    "or set MADOGUCHI_VOSK_MODEL_PATH"
                )
            vosk.SetLogLevel(-1)
            try:
                _models[path] = vosk.Model(str(path))
            except Exception as exc:  # vosk raises a bare Exception on a broken model
                raise AsrModelMissing(f"cannot load the Vosk model at {path}") from exc
        return _models[path]


def warmup_audio(sample_rate: int, seconds: float = 1.0) -> bytes:
    """Speech-like noise bursts: enough to drive the decoder through its lazy initialisation."""
    rng = np.random.default_rng(7)
    n = int(sample_rate * seconds)
    t = np.arange(n) / sample_rate
    envelope = (np.sin(2 * np.pi * 3 * t) > 0).astype(np.float64)
    voiced = np.sin(2 * np.pi * 140 * t) * 0.3 + rng.normal(0, 0.05, n)
    return (np.clip(voiced * envelope, -1, 1) * 12000).astype("<i2").tobytes()


class VoskRecognizer(Recognizer):
    def __init__(self, model: Any, sample_rate: int) -> None:
        import vosk

        self._rec = vosk.KaldiRecognizer(model, sample_rate)
        self._segments: list[str] = []
        self._lock = threading.Lock()
        self.utterances = 0

    def _accept(self, pcm: bytes) -> Transcript | None:
        with self._lock:
            try:
                if self._rec.AcceptWaveform(pcm):
                    text = str(json.loads(self._rec.Result()).get("text", ""))
                    if text:
                        self._segments.append(text)
                    return Transcript(text=" ".join(self._segments), final=False)
            except Exception as exc:
                raise AsrFailed("Vosk rejected the audio") from exc
            return None

    def _finish(self) -> Transcript:
        with self._lock:
            try:
                text = str(json.loads(self._rec.FinalResult()).get("text", ""))
            except Exception as exc:
                raise AsrFailed("Vosk failed to finalize the utterance") from exc
            if text:
                self._segments.append(text)
            result = " ".join(self._segments)
            self._segments = []
            self.utterances += 1
            return Transcript(text=result, final=True)

    def accept_sync(self, pcm: bytes) -> Transcript | None:
        return self._accept(pcm)

    def finish_sync(self) -> Transcript:
        return self._finish()

    async def accept_audio(self, pcm: bytes) -> Transcript | None:
        return await asyncio.to_thread(self._accept, pcm)

    async def finish(self) -> Transcript:
        return await asyncio.to_thread(self._finish)


class VoskEngine(AsrEngine):
    name = "vosk"

    def __init__(self, model_path: Path, *, pool_size: int = 4, sample_rate: int = 16_000) -> None:
        self.model_path = model_path
        self.pool_size = pool_size
        self.sample_rate = sample_rate
        self._model: Any = None
        self._idle: list[VoskRecognizer] = []
        self._lock = threading.Lock()
        self.cold_starts = 0

    def _ensure_model(self) -> Any:
        if self._model is None:
            self._model = load_model(self.model_path)
        return self._model

    def _new_warm(self) -> VoskRecognizer:
        rec = VoskRecognizer(self._ensure_model(), self.sample_rate)
        rec.accept_sync(warmup_audio(self.sample_rate))
        rec.finish_sync()
        return rec

    def warm_pool_sync(self) -> None:
        while True:
            with self._lock:
                if len(self._idle) >= self.pool_size:
                    return
            rec = self._new_warm()
            with self._lock:
                self._idle.append(rec)

    async def start(self) -> None:
        await asyncio.to_thread(self.warm_pool_sync)

    def acquire_sync(self) -> VoskRecognizer:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        self.cold_starts += 1  # pool exhausted: this caller pays for a fresh recognizer
        return VoskRecognizer(self._ensure_model(), self.sample_rate)

    async def acquire(self) -> Recognizer:
        return await asyncio.to_thread(self.acquire_sync)

    async def release(self, recognizer: Recognizer) -> None:
        if not isinstance(recognizer, VoskRecognizer):
            return
        await asyncio.to_thread(recognizer.finish_sync)  # drop any half utterance
        with self._lock:
            if len(self._idle) < self.pool_size:
                self._idle.append(recognizer)

    @property
    def idle(self) -> int:
        return len(self._idle)
