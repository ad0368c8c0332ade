"""One harness for scripted `stream` calls: a real app under uvicorn on 127.0.0.1, a signed
/voice/incoming webhook, then a Twilio-format Media Stream on the real websocket. A local stand-in
for Twilio's REST API records call updates. Assertions read the outbound messages and updates.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from tests.voice.gather_harness import ACCOUNT, sign
from voice.media_protocol import (
    Clear,
    Connected,
    Dtmf,
    MarkReached,
    Media,
    OutboundMark,
    OutboundMedia,
    OutboundMessage,
    Start,
    Stop,
    parse_outbound,
    serialize_inbound,
)


@dataclass
class CallUpdate:
    call_sid: str
    twiml: str
    auth: str

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.twiml)

    def has(self, tag: str) -> bool:
        return any(e.tag == tag for e in self.root.iter())

    @property
    def said(self) -> str:
        return "".join(e.text or "" for e in self.root.iter() if e.tag == "Say")


class FakeTwilioApi:
    """Twilio's REST API for `POST …/Calls/{CallSid}.json` (the cloud we cannot run here)."""

    def __init__(self) -> None:
        self.updates: list[CallUpdate] = []
        updates = self.updates

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = dict(urllib.parse.parse_qsl(body))
                match = re.search(r"/Calls/(\w+)\.json$", self.path)
                updates.append(CallUpdate(match.group(1) if match else "?", form.get("Twiml", ""),
                                          self.headers.get("Authorization", "")))
                out = json.dumps({"sid": match.group(1) if match else "", "status": "in-progress"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(out)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def for_call(self, call_sid: str) -> list[CallUpdate]:
        return [u for u in self.updates if u.call_sid == call_sid]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class LiveServer:
    """The app under a real uvicorn on 127.0.0.1 (websockets need a real server)."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                                     lifespan="on", ws="websockets-sansio"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(30)

    def incoming(self, call_sid: str) -> str:
        url = self.base + "/voice/incoming"
        form = {"CallSid": call_sid, "AccountSid": ACCOUNT, "From": "+81312345678", "To": "+81300000000",
                "CallStatus": "ringing", "Direction": "inbound"}
        req = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(),
                                     headers={"X-Twilio-Signature": sign(url, form)})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return str(resp.read().decode())


def stream_of(twiml: str) -> tuple[str, dict[str, str]]:
    stream = next(e for e in ET.fromstring(twiml).iter() if e.tag == "Stream")
    return str(stream.get("url")), {str(p.get("name")): str(p.get("value")) for p in stream if p.tag == "Parameter"}


@dataclass
class StreamCaller:
    """The Twilio side of one Media Stream."""

    call_sid: str
    url: str
    parameters: dict[str, str]
    echo_marks: bool = False  # Twilio echoes a mark when playback reaches it
    stream_sid: str = "MZ" + "1" * 32
    received: list[OutboundMessage] = field(default_factory=list)
    closed_code: int | None = None
    _ws: ClientConnection | None = None
    _rx: asyncio.Task[None] | None = None
    _seq: int = 0
    _chunk: int = 0

    async def __aenter__(self) -> StreamCaller:
        self._ws = await connect(self.url, max_size=None)
        self._rx = asyncio.create_task(self._receive())
        await self._send(Connected("Call", "1.0.0"))
        await self._send(Start(stream_sid=self.stream_sid, call_sid=self.call_sid, account_sid=ACCOUNT,
                               custom_parameters=self.parameters, sequence_number=self._next()))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._rx is not None:
            self._rx.cancel()
        if self._ws is not None:
            await self._ws.close()

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    async def _send(self, event: Any) -> None:
        assert self._ws is not None
        await self._ws.send(serialize_inbound(event))

    async def _receive(self) -> None:
        assert self._ws is not None
        try:
            async for text in self._ws:
                message = parse_outbound(text)
                self.received.append(message)
                if self.echo_marks and isinstance(message, OutboundMark):
                    await self._send(MarkReached(self.stream_sid, message.name, self._next()))
        finally:
            self.closed_code = self._ws.close_code

    async def play(self, ulaw: bytes, *, realtime: bool = False) -> None:
        """Send caller audio in 20 ms media messages (as fast as possible unless ``realtime``)."""
        t0 = time.monotonic()
        for k, i in enumerate(range(0, len(ulaw), 160)):
            self._chunk += 1
            await self._send(Media(self.stream_sid, ulaw[i:i + 160].ljust(160, b"\xff"), timestamp_ms=self._chunk * 20,
                                   chunk=self._chunk, sequence_number=self._next()))
            if realtime:
                await asyncio.sleep(max(0.0, t0 + (k + 1) * 0.02 - time.monotonic()))
            elif k % 25 == 0:
                await asyncio.sleep(0)  # let the receiver run

    async def press(self, digit: str) -> None:
        await self._send(Dtmf(self.stream_sid, digit, sequence_number=self._next()))

    async def stop(self) -> None:
        await self._send(Stop(self.stream_sid, self.call_sid, ACCOUNT, self._next()))

    async def wait_for(self, predicate: Any, timeout: float = 45.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            if self._rx is not None and self._rx.done():
                return bool(predicate())
            await asyncio.sleep(0.02)
        return bool(predicate())

    @property
    def media(self) -> bytes:
        return b"".join(m.payload for m in self.received if isinstance(m, OutboundMedia))

    @property
    def clears(self) -> int:
        return sum(isinstance(m, Clear) for m in self.received)

    @property
    def marks(self) -> list[str]:
        return [m.name for m in self.received if isinstance(m, OutboundMark)]
