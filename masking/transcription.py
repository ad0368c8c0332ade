"""Whole-file transcription through the voice/ ASR engine interface.

voice/asr's engines serve live calls (a Recognizer per utterance). For an uploaded recording this
adapter feeds the decoded file to one recognizer in chunks and takes its final transcript; both
engines accumulate their segments until ``finish`` (Vosk joins its finals, Whisper decodes the buffer
in 30 s windows), so the result is the whole recording.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

from voice.asr.base import AsrEngine

CHUNK_SECONDS = 1.0


class FileTranscriber(ABC):
    @abstractmethod
    def transcribe(self, pcm16: bytes) -> str:
        """16-bit mono PCM at :attr:`sample_rate` → the recording's text."""

    sample_rate: int = 16_000


class EngineFileTranscriber(FileTranscriber):
    def __init__(self, engine: AsrEngine) -> None:
        self.engine = engine
        self.sample_rate = engine.sample_rate

    async def _run(self, pcm16: bytes) -> str:
        step = int(self.sample_rate * CHUNK_SECONDS) * 2
        async with self.engine.recognizer() as recognizer:
            for start in range(0, len(pcm16), step):
                await recognizer.accept_audio(pcm16[start : start + step])
            final = await recognizer.finish()
        return final.text.strip()

    def transcribe(self, pcm16: bytes) -> str:
        return asyncio.run(self._run(pcm16))
