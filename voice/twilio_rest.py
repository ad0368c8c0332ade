"""Twilio's REST API, the two things we ask of it (the base URL is configurable for stand-ins).

- ``TwilioCallUpdater``: ``POST {api_base}/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`` with
  ``Twiml=…`` replaces what the call is doing: the stream path uses it to put the caller through (<Dial>)
  and, in the ``update`` reply mode, to speak with <Say>.
- ``TwilioRecordings``: ``GET …/Recordings/{RecordingSid}.wav`` downloads a call recording (size-limited)
  and ``DELETE …/Recordings/{RecordingSid}.json`` removes it from Twilio's cloud (404: already gone).

Both share one request loop (``TwilioRestClient.send``): HTTP basic auth with the account SID and auth
token, a timeout, and a few immediate retries when Twilio is unreachable or answers 429 or 5xx. Errors are
``TwilioApiError`` with the HTTP status and a ``retryable`` flag; messages never carry response bodies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import httpx

CREDENTIALS_HINT = "check MADOGUCHI_TWILIO_ACCOUNT_SID and MADOGUCHI_TWILIO_AUTH_TOKEN"


class TwilioApiError(RuntimeError):
    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class RecordingTooLarge(TwilioApiError):
    """The recording is larger than we accept (not retryable: it will not shrink)."""


@dataclass(frozen=True)
class RestReply:
    status: int
    body: bytes


class TwilioRestClient:
    """The account's REST endpoint: URLs, credentials and the shared request loop with retries."""

    def __init__(self, *, api_base: str, account_sid: str, auth_token: str, timeout: float = 10.0,
                 retries: int = 2, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.api_base = api_base.rstrip("/")
        self.account_sid = account_sid
        self._auth = (account_sid, auth_token)
        self._timeout = timeout
        self._retries = retries
        self._transport = transport

    def account_url(self, resource: str) -> str:
        return f"{self.api_base}/2010-04-01/Accounts/{quote(self.account_sid)}/{resource}"

    async def send(self, method: str, url: str, *, action: str, data: dict[str, str] | None = None,
                   accept: Collection[int] = (), max_bytes: int | None = None) -> RestReply:
        """One request, retried (up to ``retries`` more times) when unreachable or on 429/5xx.

        Returns the reply for a 2xx status or one listed in ``accept``; raises TwilioApiError otherwise.
        ``max_bytes`` bounds the body (RecordingTooLarge, checked while reading, not after)."""
        last: TwilioApiError | None = None
        async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
            for _attempt in range(self._retries + 1):
                try:
                    request = client.build_request(method, url, data=data)
                    response = await client.send(request, auth=self._auth, stream=True)
                    try:
                        if response.status_code < 300 or response.status_code in accept:
                            return RestReply(response.status_code, await _read(response, max_bytes))
                    finally:
                        await response.aclose()
                except httpx.HTTPError as exc:
                    last = TwilioApiError(f"Twilio API unreachable during {action}: {type(exc).__name__}",
                                          retryable=True)
                    last.__cause__ = exc
                    continue
                last = _refused(action, response.status_code)
                if not last.retryable:
                    break
        assert last is not None
        raise last


def _refused(action: str, status: int) -> TwilioApiError:
    retryable = status == 429 or status >= 500
    message = f"Twilio API refused the {action} (HTTP {status})"
    if status in (401, 403):
        message += f": {CREDENTIALS_HINT}"
    return TwilioApiError(message, status=status, retryable=retryable)


async def _read(response: httpx.Response, max_bytes: int | None) -> bytes:
    declared = response.headers.get("content-length", "")
    if max_bytes is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RecordingTooLarge(f"Twilio recording is {declared} bytes, over the limit of {max_bytes}",
                                status=response.status_code)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if max_bytes is not None and len(body) > max_bytes:
            raise RecordingTooLarge(f"Twilio recording is over the limit of {max_bytes} bytes",
                                    status=response.status_code)
    return bytes(body)


class CallUpdater(Protocol):
    async def update_call(self, call_sid: str, twiml: str) -> None: ...


class TwilioCallUpdater(TwilioRestClient):
    def call_url(self, call_sid: str) -> str:
        return self.account_url(f"Calls/{quote(call_sid)}.json")

    async def update_call(self, call_sid: str, twiml: str) -> None:
        await self.send("POST", self.call_url(call_sid), action="call update", data={"Twiml": twiml})


class RecordingStore(Protocol):
    """Where call recordings wait to be fetched (Twilio's cloud)."""

    def download(self, recording_sid: str, max_bytes: int) -> bytes: ...

    def delete(self, recording_sid: str) -> bool: ...


class TwilioRecordings(TwilioRestClient):
    """Blocking methods (jobs run in worker threads); each runs its own short event loop."""

    def __init__(self, *, api_base: str, account_sid: str, auth_token: str, timeout: float = 30.0,
                 total_seconds: float = 600.0, retries: int = 2,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(api_base=api_base, account_sid=account_sid, auth_token=auth_token, timeout=timeout,
                         retries=retries, transport=transport)
        self.total_seconds = total_seconds  # httpx's timeout is per read; this bounds the whole download

    def recording_url(self, recording_sid: str, suffix: str) -> str:
        return self.account_url(f"Recordings/{quote(recording_sid)}.{suffix}")

    def download(self, recording_sid: str, max_bytes: int) -> bytes:
        """The recording as WAV (what Twilio stores: 8 kHz 16-bit PCM, one channel per side)."""
        return asyncio.run(self._download(recording_sid, max_bytes))

    def delete(self, recording_sid: str) -> bool:
        """True when Twilio deleted it now (204), False when it was already gone (404)."""
        reply = asyncio.run(self.send("DELETE", self.recording_url(recording_sid, "json"),
                                      action="recording delete", accept=(404,)))
        return reply.status != 404

    async def _download(self, recording_sid: str, max_bytes: int) -> bytes:
        try:
            async with asyncio.timeout(self.total_seconds):
                reply = await self.send("GET", self.recording_url(recording_sid, "wav"),
                                        action="recording download", max_bytes=max_bytes)
        except TimeoutError as exc:
            raise TwilioApiError(f"Twilio recording download took longer than {self.total_seconds:.0f} s",
                                 retryable=True) from exc
        if not reply.body:
            raise TwilioApiError("Twilio sent an empty recording", status=reply.status, retryable=True)
        return reply.body
