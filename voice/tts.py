"""Offline Japanese speech synthesis for the phone: pyopenjtalk-plus → 8 kHz μ-law.

pyopenjtalk-plus bundles its dictionary and HTS voice, so nothing leaves the machine. Answers are
split into sentences so the first sentence can be played while the rest is synthesized, and every
sentence is cached: FAQ answers repeat all day.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy as np

from voice.audio import downsample_to_8k, pcm16_to_ulaw

_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


class SpeechSynthesizer(Protocol):
    def synthesize_sentence(self, sentence: str) -> bytes:
        """8 kHz μ-law audio of one sentence (see :func:`split_sentences`)."""
        ...


class OpenJTalkSynthesizer:
    """pyopenjtalk-plus with an LRU cache of synthesized sentences (thread-safe)."""

    def __init__(self, *, speed: float = 1.0, gain: float = 0.9, cache_size: int = 512,
                 cache_dir: Path | None = None) -> None:
        self.speed = speed
        self.gain = gain
        self.cache_size = cache_size
        self.cache_dir = cache_dir  # synthesized lines survive restarts (they are the city's own prompts)
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._engine_lock = threading.Lock()  # the bundled engine is a process-wide singleton
        self.hits = 0
        self.misses = 0

    def _synthesize(self, sentence: str) -> bytes:
        import pyopenjtalk

        with self._engine_lock:
            samples, rate = pyopenjtalk.tts(sentence, speed=self.speed)
        samples = np.asarray(samples, dtype=np.float64)
        peak = float(np.max(np.abs(samples))) if samples.size else 0.0
        if peak > 0:  # pyopenjtalk returns int16-range floats; normalise so every line is equally loud
            samples = samples * (self.gain * 32767.0 / peak)
        return pcm16_to_ulaw(downsample_to_8k(samples, int(rate)))

    def _disk_path(self, sentence: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"openjtalk|{self.speed}|{self.gain}|{sentence}".encode()).hexdigest()
        return self.cache_dir / f"{key}.ulaw"

    def synthesize_sentence(self, sentence: str) -> bytes:
        with self._cache_lock:
            cached = self._cache.get(sentence)
            if cached is not None:
                self._cache.move_to_end(sentence)
                self.hits += 1
                return cached
        disk = self._disk_path(sentence)
        if disk is not None and disk.is_file():
            audio = disk.read_bytes()
        else:
            audio = self._synthesize(sentence)
            if disk is not None:
                disk.parent.mkdir(parents=True, exist_ok=True)
                tmp = disk.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
                tmp.write_bytes(audio)
                tmp.replace(disk)
        with self._cache_lock:
            self.misses += 1
            self._cache[sentence] = audio
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return audio

    def synthesize_ulaw(self, text: str) -> bytes:
        return b"".join(self.synthesize_sentence(s) for s in split_sentences(text))

    def prewarm(self, texts: list[str], *, background: bool = False) -> None:
        """Synthesize lines that will surely be needed (FAQ answers, fixed prompts) ahead of calls.

        ``background`` lowers this thread's CPU priority (Linux: per-thread nice) so live calls win.
        """
        if background and hasattr(os, "setpriority"):
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 15)
            except OSError:
                pass
        for text in texts:
            for sentence in split_sentences(text):
                self.synthesize_sentence(sentence)
