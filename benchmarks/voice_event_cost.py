"""What one call event costs in process (no HTTP): CallService.handle + TwiML, and its parts.

    .venv/bin/python benchmarks/voice_event_cost.py --calls 200

Prints one JSON line: ms per event (start and a matched question), the same with SQLite's
`synchronous=NORMAL` (no fsync per commit in WAL mode: shows what the commit's fsync costs), and the
FAQ match alone.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from sqlalchemy import event

from core.crypto import DataCipher, new_key
from core.db import make_engine, make_session_factory
from core.migrate import upgrade
from core.settings import PROJECT_ROOT
from voice.answerer import FaqLibraryAnswerer
from voice.calls import CallService
from voice.config import load_voice_config
from voice.events import CallerSaid
from voice.flow import CallFlow
from voice.office_hours import OfficeHours
from voice.twiml import TwimlRenderer, WebhookUrls

QUESTION = "住民税の納期はいつですか"


def per_event_ms(service: CallService, renderer: TwimlRenderer, n: int, prefix: str) -> float:
    def calls(count: int, tag: str) -> None:
        for i in range(count):
            sid = f"CA{prefix}{tag}{i:08d}"
            handled = service.start(sid)
            renderer.render(handled.actions, sid, handled.seq)
            handled = service.handle(sid, CallerSaid(QUESTION, 0.9), seq=2)
            renderer.render(handled.actions, sid, handled.seq)

    calls(10, "w")  # warm up
    t0 = time.perf_counter()
    calls(n, "m")
    return (time.perf_counter() - t0) * 1000 / (2 * n)


def service_on(url: str, answerer: FaqLibraryAnswerer, synchronous: str | None) -> CallService:
    engine = make_engine(url)
    if synchronous:
        event.listen(engine, "connect", lambda conn, _rec: conn.execute(f"PRAGMA synchronous={synchronous}"))
    flow = CallFlow(answerer, load_voice_config().flow_config(False), OfficeHours("always"))
    return CallService(flow, make_session_factory(engine), DataCipher(new_key()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='voice-cost-')}/cost.db"
    upgrade(url)
    answerer = FaqLibraryAnswerer.from_path(PROJECT_ROOT / "faq" / "data" / "tax_faq.yaml")
    renderer = TwimlRenderer(WebhookUrls("https://voice.example.jp"))
    default_ms = per_event_ms(service_on(url, answerer, None), renderer, args.calls, "d")
    normal_ms = per_event_ms(service_on(url, answerer, "NORMAL"), renderer, args.calls, "n")
    t0 = time.perf_counter()
    for _ in range(args.calls):
        answerer.match(QUESTION)
    match_ms = (time.perf_counter() - t0) * 1000 / args.calls
    print(json.dumps({"events": 2 * args.calls, "ms_per_event": round(default_ms, 2),
                      "ms_per_event_sqlite_synchronous_normal": round(normal_ms, 2),
                      "faq_match_ms": round(match_ms, 2)}))


if __name__ == "__main__":
    main()
