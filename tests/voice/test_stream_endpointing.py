"""Japanese endpointing: aizuchi neither end a turn nor interrupt; a real pause ends the turn."""

from __future__ import annotations

import numpy as np
import pytest

from voice.audio import pcm16_to_ulaw, ulaw_to_pcm16
from voice.endpointing import BargeIn, EndOfTurn, Endpointer, EndpointingConfig, SpeechStarted

FRAME = 160  # 20 ms at 8 kHz


def frames(script: list[tuple[str, int]], seed: int = 3) -> list[bytes]:
    """('speech'|'silence', ms) segments → 20 ms PCM16 frames, through μ-law like a phone line."""
    rng = np.random.default_rng(seed)
    out: list[bytes] = []
    for kind, ms in script:
        n = ms // 20 * FRAME
        if kind == "speech":  # a voiced, amplitude-modulated buzz at conversational level
            t = np.arange(n) / 8000
            x = (np.sin(2 * np.pi * 150 * t) + 0.3 * rng.normal(size=n)) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
            x = x * 6000
        else:  # line noise around -65 dBFS
            x = rng.normal(size=n) * 15
        pcm = ulaw_to_pcm16(pcm16_to_ulaw(np.clip(x, -32768, 32767).astype("<i2").tobytes()))
        out += [pcm[i:i + 2 * FRAME] for i in range(0, len(pcm), 2 * FRAME)]
    return out


def run(script: list[tuple[str, int]], config: EndpointingConfig | None = None) -> list[object]:
    ep = Endpointer(config)
    return [ev for f in frames(script) for ev in ep.process(f)]


def turns(events: list[object]) -> list[EndOfTurn]:
    return [e for e in events if isinstance(e, EndOfTurn)]


@pytest.mark.parametrize(("name", "script", "n_turns", "barge_ins", "short"), [
    ("a question, then a real pause", [("silence", 400), ("speech", 2000), ("silence", 900)], 1, 1, [False]),
    ("aizuchi はい (300 ms) and a pause under the long timeout",
     [("silence", 400), ("speech", 300), ("silence", 1200)], 0, 0, []),
    ("a lone はい still answers, after a longer pause",
     [("silence", 400), ("speech", 300), ("silence", 1700)], 1, 0, [True]),
    ("はい、…えっと then the question: one turn",
     [("silence", 200), ("speech", 300), ("silence", 600), ("speech", 1500), ("silence", 900)], 1, 1, [False]),
    ("a pause inside the sentence (500 ms) does not split it",
     [("silence", 200), ("speech", 1200), ("silence", 500), ("speech", 1000), ("silence", 900)], 1, 1, [False]),
    ("two questions with a real pause are two turns",
     [("silence", 200), ("speech", 1200), ("silence", 900), ("speech", 1200), ("silence", 900)], 2, 2,
     [False, False]),
    ("clicks shorter than the onset are ignored", [("silence", 200), ("speech", 40), ("silence", 2000)], 0, 0, []),
    ("silence only", [("silence", 3000)], 0, 0, []),
])
def test_endpointing_table(name: str, script: list[tuple[str, int]], n_turns: int, barge_ins: int,
                           short: list[bool]) -> None:
    events = run(script)
    assert len(turns(events)) == n_turns, name
    assert sum(isinstance(e, BargeIn) for e in events) == barge_ins, name
    assert [t.short for t in turns(events)] == short, name


def test_aizuchi_during_playback_never_barges_in_but_speech_does() -> None:
    events = run([("silence", 200), ("speech", 400), ("silence", 300), ("speech", 400), ("silence", 300)])
    assert not any(isinstance(e, BargeIn) for e in events)  # はい… はい: two short segments
    events = run([("silence", 200), ("speech", 800)])
    barge = [e for e in events if isinstance(e, BargeIn)]
    assert len(barge) == 1 and barge[0].at_ms == 200 + 520  # fires once the segment outlasts an aizuchi


def test_end_of_turn_comes_after_the_configured_silence() -> None:
    for silence_ms in (500, 700, 1000):
        events = run([("silence", 200), ("speech", 1000), ("silence", 2000)],
                     EndpointingConfig(end_of_turn_silence_ms=silence_ms))
        [end] = turns(events)
        assert end.at_ms == 200 + 1000 + silence_ms
        started = [e for e in events if isinstance(e, SpeechStarted)]
        assert started[0].at_ms == 200
        assert end.speech_ms == pytest.approx(1000, abs=40)


def test_a_turn_is_cut_at_the_maximum_length() -> None:
    [end] = turns(run([("speech", 3000)], EndpointingConfig(max_turn_ms=2000)))
    assert end.at_ms == 2000
