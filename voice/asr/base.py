"""The small interface every speech recognizer implements.

A :class:`Recognizer` serves one call: audio of the current utterance goes in with
:meth:`Recognizer.accept_audio` (16-bit mono PCM at :attr:`AsrEngine.sample_rate`), and
:meth:`Recognizer.finish` returns the final transcript once the endpointer says the caller is done,
leaving the recognizer ready for the next utterance. An :class:`AsrEngine` hands out recognizers,
keeping warm ones in a pool where warming matters.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Transcript:
    text: str
    final: bool
    confidence: float | None = None


class Recognizer(ABC):
    @abstractmethod
    async def accept_audio(self, pcm: bytes) -> Transcript | None:
        """Feed audio of the current utterance; may return a partial (or an engine-side final) result."""

    @abstractmethod
    async def finish(self) -> Transcript:
        """End the current utterance and return its final transcript."""

    async def reset(self) -> None:
        """Drop the current utterance without a result (e.g. a discarded aizuchi)."""
        await self.finish()

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Release engine-side resources."""


class AsrEngine(ABC):
    name: str
    sample_rate: int = 16_000

    async def start(self) -> None:  # noqa: B027 (optional hook)
        """Load models and warm recognizers (called once when the app starts)."""

    @abstractmethod
    async def acquire(self) -> Recognizer: ...

    @abstractmethod
    async def release(self, recognizer: Recognizer) -> None: ...

    async def aclose(self) -> None:  # noqa: B027 (optional hook)
        """Free models and connections."""

    @asynccontextmanager
    async def recognizer(self) -> AsyncIterator[Recognizer]:
        rec = await self.acquire()
        try:
            yield rec
        finally:
            await self.release(rec)
