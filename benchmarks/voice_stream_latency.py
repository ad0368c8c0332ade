"""End of the caller's speech (endpoint) → reply issued, on the `stream` path, excluding ASR finalization.

The real app under uvicorn on 127.0.0.1, the real call flow and FAQ matcher on SQLite, faster-whisper
(whisper-base from the `whisper` extra) as the ASR, pyopenjtalk TTS, Twilio's REST API as a local
stand-in. Callers ask the knowledge base's own questions (synthesized offline), one after another.
Per turn the session records (monotonic, no text): endpoint, ASR final, reply issued (first TTS media
message sent, or the call update answered). Two passes: the first with an empty TTS cache (a fresh
install before its start-up warm-up has finished), the second asks the same questions again (the
service's normal state: the app synthesizes every FAQ answer at start-up and keeps them on disk).

    .venv/bin/python benchmarks/voice_stream_latency.py --questions 8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from app.main import create_app
from core.migrate import upgrade
from core.settings import PROJECT_ROOT, Settings
from tests.support import free_port
from tests.voice.asr_support import caller_ulaw, silence_ulaw, whisper_engine
from tests.voice.gather_harness import ACCOUNT, TOKEN
from tests.voice.stream_harness import FakeTwilioApi, LiveServer, StreamCaller, stream_of
from voice.stream_runtime import StreamRuntime
from voice.stream_session import TurnTiming
from voice.twilio_rest import TwilioCallUpdater


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: no samples"
    return (f"{name}: n={len(values)} p50 {statistics.median(values):.0f} ms p95 {pct(values, 0.95):.0f} ms"
            f" max {max(values):.0f} ms")


async def one_call(server: LiveServer, api: FakeTwilioApi, call_sid: str, question: str) -> None:
    url, params = stream_of(server.incoming(call_sid))
    async with StreamCaller(call_sid, url, params, echo_marks=True) as caller:
        await caller.play(silence_ulaw(300) + caller_ulaw(question) + silence_ulaw(1000))
        await caller.wait_for(lambda: bool(caller.marks) or bool(api.for_call(call_sid)), timeout=120)
        await caller.stop()
        await asyncio.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=8)
    args = parser.parse_args()
    kb = yaml.safe_load((PROJECT_ROOT / "faq" / "data" / "tax_faq.yaml").read_text(encoding="utf-8"))
    questions = [f["question"] for f in kb["faqs"] if not f.get("transfer")][: args.questions]
    for q in questions:
        caller_ulaw(q)
    tmp = Path(tempfile.mkdtemp(prefix="voice-latency-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    api = FakeTwilioApi()
    port = free_port()
    settings = Settings(_env_file=None, env="test", database_url=url, data_dir=tmp,  # type: ignore[call-arg]
                        public_base_url=f"http://127.0.0.1:{port}", twilio_auth_token=TOKEN,
                        twilio_account_sid=ACCOUNT, twilio_api_base=api.base, voice_asr="stream",
                        office_hours="always", queue_backend="immediate", log_level="WARNING")
    app = create_app(settings)
    engine = whisper_engine()
    asyncio.run(engine.start())
    runtime = StreamRuntime(settings, engine=engine, prewarm_tts=False,
                            updater=TwilioCallUpdater(api_base=api.base, account_sid=ACCOUNT, auth_token=TOKEN))
    app.state.voice_stream = runtime
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    passes: dict[str, list[TurnTiming]] = {}
    with LiveServer(app, port) as server:
        for name in ("cold TTS cache", "warm TTS cache"):
            before = len(runtime.turn_timings)
            for i, q in enumerate(questions):
                asyncio.run(one_call(server, api, f"CAlat{name[:4]}{i:03d}", q))
            passes[name] = list(runtime.turn_timings)[before:]
    api.close()
    for name, timings in passes.items():
        asr = [t.asr_ms for t in timings if t.asr_ms is not None]
        reply = [t.reply_after_asr_ms for t in timings if t.reply_after_asr_ms is not None]
        flow = [(t.flow_done - t.asr_done) * 1000 for t in timings if t.flow_done and t.asr_done]
        print(f"[{name}] " + summary("endpoint→reply excluding ASR", reply))
        print(f"[{name}]   of which flow+DB " + summary("", flow).lstrip(": "))
        print(f"[{name}] " + summary("ASR finalization (whisper-base, endpoint→final)", asr))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
