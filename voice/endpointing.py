"""Deciding when a Japanese caller has finished speaking, from the audio level alone.

Japanese phone talk is full of aizuchi (はい / ええ / うん) — short sounds that acknowledge the
other side without taking the turn — and of short pauses inside a sentence. So:

- a speech *segment* is a voiced run, with gaps shorter than ``segment_gap_ms`` bridged;
- a segment longer than ``aizuchi_max_ms`` is real speech: it may interrupt the bot (barge-in);
- a turn ends after ``end_of_turn_silence_ms`` of silence, but a turn made only of short
  segments (a lone 「はい」) ends only after the longer ``short_turn_silence_ms`` — so 「はい、
  えっと…」 followed by the question stays one turn, and a lone 「はい」 still answers a yes/no question.

Time is counted in audio milliseconds (frames fed), never the wall clock, so it is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice.audio import rms_dbfs


@dataclass(frozen=True)
class EndpointingConfig:
    speech_threshold_dbfs: float = -42.0  # absolute floor for "voiced"
    noise_margin_db: float = 12.0  # voiced = this much above the tracked noise floor
    onset_ms: int = 60  # voiced time needed to start a segment (clicks and pops are shorter)
    segment_gap_ms: int = 200
    aizuchi_max_ms: int = 500
    end_of_turn_silence_ms: int = 700
    short_turn_silence_ms: int = 1500
    max_turn_ms: int = 20_000


@dataclass(frozen=True)
class SpeechStarted:
    at_ms: int


@dataclass(frozen=True)
class BargeIn:
    """A segment of this turn outlasted an aizuchi: the caller is really talking (once per turn)."""

    at_ms: int


@dataclass(frozen=True)
class EndOfTurn:
    at_ms: int
    started_ms: int
    speech_ms: int  # voiced time in the turn
    short: bool  # only aizuchi-length segments (a lone 「はい」)


EndpointEvent = SpeechStarted | BargeIn | EndOfTurn


class Endpointer:
    def __init__(self, config: EndpointingConfig | None = None) -> None:
        self.config = config or EndpointingConfig()
        self._noise_floor = -70.0
        self._now = 0
        self.reset()

    def reset(self) -> None:
        """Forget the current turn (audio time keeps running)."""
        self._in_turn = False
        self._turn_start = 0
        self._speech_ms = 0
        self._onset_run = 0
        self._segment_ms = 0
        self._gap_ms = 0
        self._silence_ms = 0
        self._long_segment = False
        self._barged = False

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    @property
    def now_ms(self) -> int:
        return self._now

    def _is_voiced(self, level: float) -> bool:
        threshold = max(self.config.speech_threshold_dbfs, self._noise_floor + self.config.noise_margin_db)
        voiced = level > threshold
        if not voiced:  # track the floor slowly upwards, quickly downwards
            rate = 0.2 if level < self._noise_floor else 0.01
            self._noise_floor += rate * (max(level, -90.0) - self._noise_floor)
        return voiced

    def process(self, pcm: bytes, frame_ms: int = 20) -> list[EndpointEvent]:
        """Feed one frame of PCM16 audio; returns what happened at its end."""
        cfg = self.config
        self._now += frame_ms
        voiced = self._is_voiced(rms_dbfs(pcm))
        events: list[EndpointEvent] = []
        if not self._in_turn:
            self._onset_run = self._onset_run + frame_ms if voiced else 0
            if self._onset_run >= cfg.onset_ms:
                self._in_turn = True
                self._turn_start = self._now - self._onset_run
                self._speech_ms = self._segment_ms = self._onset_run
                self._gap_ms = self._silence_ms = 0
                events.append(SpeechStarted(at_ms=self._turn_start))
            return events
        if voiced:
            if self._gap_ms >= cfg.segment_gap_ms:
                self._segment_ms = 0  # a new segment after a real gap
            self._segment_ms += frame_ms + (self._gap_ms if self._gap_ms < cfg.segment_gap_ms else 0)
            self._speech_ms += frame_ms
            self._gap_ms = self._silence_ms = 0
            if self._segment_ms > cfg.aizuchi_max_ms:
                self._long_segment = True
                if not self._barged:
                    self._barged = True
                    events.append(BargeIn(at_ms=self._now))
        else:
            self._gap_ms += frame_ms
            self._silence_ms += frame_ms
        needed = cfg.end_of_turn_silence_ms if self._long_segment else cfg.short_turn_silence_ms
        too_long = self._now - self._turn_start >= cfg.max_turn_ms
        if self._silence_ms >= needed or too_long:
            events.append(EndOfTurn(at_ms=self._now, started_ms=self._turn_start, speech_ms=self._speech_ms,
                                    short=not self._long_segment))
            self.reset()
        return events
