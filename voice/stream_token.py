"""One-time tokens that tie a Media Stream websocket to the signed webhook that opened it.

The webhook that renders ``<Connect><Stream>`` has passed Twilio signature validation; it issues a
token bound to the CallSid and puts it in a ``<Parameter>``. Twilio sends custom parameters back in
the stream's ``start`` message, where :meth:`StreamTokens.redeem` checks the MAC, the CallSid, the
expiry, and that the token was not used before (per process; tokens live for minutes, so a replay
window across processes is limited to the expiry).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable


class StreamTokenError(ValueError):
    """The stream's token is missing, forged, expired, for another call, or already used."""


class StreamTokens:
    def __init__(self, secret: bytes, *, ttl_s: float = 300.0, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._ttl = ttl_s
        self._clock = clock
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def _mac(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def issue(self, call_sid: str) -> str:
        body = f"{int(self._clock() + self._ttl)}.{secrets.token_urlsafe(9)}"
        return f"{body}.{self._mac(call_sid + '|' + body)}"

    def redeem(self, token: str, call_sid: str) -> None:
        try:
            expires_s, nonce, mac = token.split(".")
            expires = int(expires_s)
        except ValueError as exc:
            raise StreamTokenError("malformed stream token") from exc
        body = f"{expires_s}.{nonce}"
        if not hmac.compare_digest(mac, self._mac(call_sid + "|" + body)):
            raise StreamTokenError("stream token does not belong to this call")
        now = self._clock()
        if expires < now:
            raise StreamTokenError("stream token expired")
        with self._lock:
            for used, until in list(self._used.items()):
                if until < now:
                    del self._used[used]
            if nonce in self._used:
                raise StreamTokenError("stream token already used")
            self._used[nonce] = expires
