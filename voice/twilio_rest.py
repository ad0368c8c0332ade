"""Updating a live call through Twilio's REST API (the base URL is configurable for stand-ins).

``POST {api_base}/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`` with ``Twiml=…`` replaces
what the call is doing: the stream path uses it to put the caller through (<Dial>) and, in the
``update`` reply mode, to speak with <Say>.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

import httpx


class TwilioApiError(RuntimeError):
    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class CallUpdater(Protocol):
    async def update_call(self, call_sid: str, twiml: str) -> None: ...


class TwilioCallUpdater:
    def __init__(self, *, api_base: str, account_sid: str, auth_token: str, timeout: float = 10.0,
                 retries: int = 2, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.api_base = api_base.rstrip("/")
        self.account_sid = account_sid
        self._auth = (account_sid, auth_token)
        self._timeout = timeout
        self._retries = retries
        self._transport = transport

    def call_url(self, call_sid: str) -> str:
        return f"{self.api_base}/2010-04-01/Accounts/{quote(self.account_sid)}/Calls/{quote(call_sid)}.json"

    async def update_call(self, call_sid: str, twiml: str) -> None:
        last: TwilioApiError | None = None
        async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
            for _attempt in range(self._retries + 1):
                try:
                    resp = await client.post(self.call_url(call_sid), data={"Twiml": twiml}, auth=self._auth)
                except httpx.HTTPError as exc:
                    last = TwilioApiError(f"Twilio API unreachable: {type(exc).__name__}", retryable=True)
                    last.__cause__ = exc
                    continue
                if resp.status_code < 300:
                    return
                retryable = resp.status_code == 429 or resp.status_code >= 500
                last = TwilioApiError(f"Twilio API refused the call update (HTTP {resp.status_code})",
                                      status=resp.status_code, retryable=retryable)
                if not retryable:
                    break
        assert last is not None
        raise last
