"""Load test for the `gather` webhooks: real `madoguchi serve` on 127.0.0.1, Twilio-signed requests.

Phase 1 (capacity): N simulated calls at once (default 50), each a scripted conversation
(greeting, question, 「はい」, question, 「ありません」); every 5th webhook is sent twice, like a Twilio
retry. Afterwards the database must hold exactly the expected turns per call: none lost, none duplicated.
Phase 2 (latency at a rate): open-loop webhooks at a fixed rate for a fixed time; p50/p95/p99.

    .venv/bin/python benchmarks/voice_gather_load.py --calls 50 --rate 40 --seconds 20

Loopback only; bounded by --calls/--rate/--seconds. Prints one JSON line per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-auth-token-0123456789abcdef"
SCRIPT = ["住民税の納期はいつですか", "はい", "固定資産税の第3期の納期限は12月の何日ですか", "ありません"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sign(url: str, params: dict[str, str]) -> str:
    payload = url + "".join(k + v for k, v in sorted(params.items()))
    return base64.b64encode(hmac.new(TOKEN.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Bench:
    def __init__(self, base: str, client: httpx.AsyncClient) -> None:
        self.base = base
        self.client = client
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.sent = 0

    async def post(self, url: str, form: dict[str, str]) -> str:
        url = url if url.startswith("http") else self.base + url
        t0 = time.perf_counter()
        r = await self.client.post(url, data=form, headers={"X-Twilio-Signature": sign(url, form)})
        self.latencies.append((time.perf_counter() - t0) * 1000)
        self.sent += 1
        if r.status_code != 200:
            self.errors.append(f"{r.status_code} {url}")
        return r.text

    async def call(self, sid: str) -> None:
        form = {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": "+81312345678", "To": "+81300000000"}
        twiml = await self.post("/voice/incoming", dict(form, CallStatus="ringing"))
        for i, text in enumerate(SCRIPT):
            gather = next((e for e in ET.fromstring(twiml).iter() if e.tag == "Gather"), None)
            if gather is None:
                self.errors.append(f"{sid}: no Gather before turn {i}")
                return
            body = dict(form, SpeechResult=text, Confidence="0.9")
            twiml = await self.post(gather.get("action", ""), body)
            if (self.sent % 5) == 0:  # a Twilio retry of the same webhook
                again = await self.post(gather.get("action", ""), body)
                if again != twiml:
                    self.errors.append(f"{sid}: retry got a different reply")


def check_turns(db: Path, sids: list[str]) -> dict[str, int]:
    con = sqlite3.connect(db)
    expected = list(range(1, len(SCRIPT) + 2))
    bad = 0
    for sid in sids:
        seqs = [r[0] for r in con.execute(
            "SELECT t.seq FROM voice_turns t JOIN voice_calls c ON c.id = t.call_id"
            " WHERE c.call_sid = ? ORDER BY t.seq",
            (sid,))]
        bad += seqs != expected
    outcomes = dict(con.execute("SELECT outcome, count(*) FROM voice_calls GROUP BY outcome").fetchall())
    con.close()
    return {"calls_with_wrong_turns": bad, "resolved": int(outcomes.get("resolved", 0))}


async def capacity(base: str, n: int) -> dict[str, object]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        bench = Bench(base, client)
        t0 = time.perf_counter()
        await asyncio.gather(*(bench.call(f"CAload{i:04d}") for i in range(n)))
        wall = time.perf_counter() - t0
    return {"phase": "capacity", "calls": n, "requests": bench.sent, "errors": len(bench.errors),
            "error_sample": bench.errors[:3], "seconds": round(wall, 2), "req_per_s": round(bench.sent / wall, 1),
            "p50_ms": round(pct(bench.latencies, 0.50), 1), "p95_ms": round(pct(bench.latencies, 0.95), 1),
            "p99_ms": round(pct(bench.latencies, 0.99), 1)}


async def rate(base: str, per_second: float, seconds: float) -> dict[str, object]:
    async with httpx.AsyncClient(timeout=30) as client:
        bench = Bench(base, client)
        tasks = []
        start = time.perf_counter()
        k = 0
        while (now := time.perf_counter() - start) < seconds:
            due = k / per_second
            if now < due:
                await asyncio.sleep(due - now)
            sid = f"CArate{k:06d}"
            # each request is a fresh call's incoming webhook followed later by its question: 2 webhooks
            tasks.append(asyncio.create_task(_two_step(bench, sid)))
            k += 1
        await asyncio.gather(*tasks)
    lat = bench.latencies
    return {"phase": "rate", "target_req_per_s": per_second * 2, "requests": bench.sent, "errors": len(bench.errors),
            "p50_ms": round(statistics.median(lat), 1), "p95_ms": round(pct(lat, 0.95), 1),
            "p99_ms": round(pct(lat, 0.99), 1), "max_ms": round(max(lat), 1)}


async def _two_step(bench: Bench, sid: str) -> None:
    form = {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": "+81312345678", "To": "+81300000000"}
    twiml = await bench.post("/voice/incoming", dict(form, CallStatus="ringing"))
    gather = next((e for e in ET.fromstring(twiml).iter() if e.tag == "Gather"), None)
    if gather is not None:
        await bench.post(gather.get("action", ""), dict(form, SpeechResult=SCRIPT[0], Confidence="0.9"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="new calls per second in phase 2 (2 webhooks each)")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="voice-bench-"))
    db = tmp / "bench.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, MADOGUCHI_TWILIO_AUTH_TOKEN=TOKEN, MADOGUCHI_PUBLIC_BASE_URL=base,
               MADOGUCHI_VOICE_ASR="gather", MADOGUCHI_OFFICE_HOURS="always", MADOGUCHI_LOG_LEVEL="WARNING",
               MADOGUCHI_DATABASE_URL=f"sqlite:///{db}")
    command = [str(ROOT / ".venv" / "bin" / "madoguchi"), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(args.workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(tmp / "server.log", "w"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(120):
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        asyncio.run(capacity(base, 2 * args.workers))  # warm up every worker's connections
        result = asyncio.run(capacity(base, args.calls))
        result.update(check_turns(db, [f"CAload{i:04d}" for i in range(args.calls)]))
        print(json.dumps(result, ensure_ascii=False))
        print(json.dumps(asyncio.run(rate(base, args.rate, args.seconds)), ensure_ascii=False))
        return 0 if not result["errors"] and not result["calls_with_wrong_turns"] else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
