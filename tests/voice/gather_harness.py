"""One harness for scripted calls on the `gather` path: signed webhooks in, TwiML out.

A TwilioCall behaves like Twilio: it signs each request with the auth token for the public URL,
posts the form Twilio would post, and follows the TwiML it gets back (the <Gather action>, the
<Dial action>). Assertions read the parsed TwiML and the call record.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from httpx import Response

from core.settings import Settings
from tests.support import free_port

PUBLIC_BASE = "https://voice.mirai-city.example.jp"
TOKEN = "harness-auth-token-0123456789abcdef"
ACCOUNT = "AC" + "0" * 32


def harness_settings(tmp_path: Path, database_url: str, office_hours: str = "always",
                     recording: bool = False) -> Settings:
    return Settings(_env_file=None, env="test", database_url=database_url,  # type: ignore[call-arg]
                    public_base_url=PUBLIC_BASE, twilio_auth_token=TOKEN, voice_asr="gather",
                    office_hours=office_hours, recording_enabled=recording, data_dir=tmp_path,
                    secret_key="test-secret-key-for-voice-tests", queue_backend="immediate",
                    # nothing listens there: a test never reaches the real Twilio API (the recording job
                    # fails fast on connection refused; tests/voice/test_recordings.py uses a stand-in)
                    twilio_api_base=f"http://127.0.0.1:{free_port()}")


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    payload = url + "".join(k + v for k, v in sorted(params.items()))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


@dataclass
class Twiml:
    status: int
    body: str

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.body)

    def all(self, tag: str) -> list[ET.Element]:
        return [e for e in self.root.iter() if e.tag == tag]

    @property
    def said(self) -> str:
        return "".join(e.text or "" for e in self.all("Say"))

    @property
    def gather(self) -> ET.Element | None:
        found = self.all("Gather")
        return found[0] if found else None

    @property
    def transferred_to(self) -> str | None:
        numbers = self.all("Number")
        if numbers:
            return (numbers[0].text or "").strip()
        queues = self.all("Enqueue")
        return f"queue:{(queues[0].text or '').strip()}" if queues else None

    @property
    def hangs_up(self) -> bool:
        return bool(self.all("Hangup"))


class TwilioCall:
    def __init__(self, client: TestClient, call_sid: str, caller: str = "+81312345678") -> None:
        self.client = client
        self.call_sid = call_sid
        self.caller = caller
        self.next_url: str | None = None
        self.last: Twiml | None = None
        self.history: list[Twiml] = []

    def base_form(self) -> dict[str, str]:
        return {"CallSid": self.call_sid, "AccountSid": ACCOUNT, "From": self.caller, "To": "+81300000000",
                "Direction": "inbound", "CallStatus": "in-progress"}

    def post(self, url: str, form: dict[str, str], *, good_signature: bool = True) -> Response:
        absolute = url if url.startswith("http") else PUBLIC_BASE + url
        signature = sign(absolute, form)
        if not good_signature:
            signature = "AAAA" + signature[4:]
        parts = urlsplit(absolute)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.client.post(path, data=form, headers={"X-Twilio-Signature": signature})

    def _follow(self, response: Response) -> Twiml:
        twiml = Twiml(response.status_code, response.text)
        self.last = twiml
        self.history.append(twiml)
        if response.status_code == 200:
            gather, dial = twiml.gather, twiml.all("Dial") or twiml.all("Enqueue")
            self.next_url = gather.get("action") if gather is not None else (dial[0].get("action") if dial else None)
        return twiml

    def start(self) -> Twiml:
        return self._follow(self.post("/voice/incoming", dict(self.base_form(), CallStatus="ringing")))

    def _to_next(self, extra: dict[str, str]) -> Twiml:
        assert self.next_url, "the last TwiML did not ask for input"
        return self._follow(self.post(self.next_url, dict(self.base_form(), **extra)))

    def say(self, text: str, confidence: float = 0.9) -> Twiml:
        return self._to_next({"SpeechResult": text, "Confidence": str(confidence)})

    def press(self, digits: str) -> Twiml:
        return self._to_next({"Digits": digits})

    def silence(self) -> Twiml:
        return self._to_next({})

    def transfer_result(self, dial_status: str) -> Twiml:
        return self._to_next({"DialCallStatus": dial_status})

    def hang_up(self) -> Response:
        return self.post("/voice/status", dict(self.base_form(), CallStatus="completed"))
