"""One-time stream tokens: bound to a CallSid, expiring, single use."""

from __future__ import annotations

import pytest

from voice.stream_token import StreamTokenError, StreamTokens


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_opens_one_stream_of_its_call_only() -> None:
    clock = Clock()
    tokens = StreamTokens(b"secret", ttl_s=60, clock=clock)
    token = tokens.issue("CA1")
    with pytest.raises(StreamTokenError, match="this call"):
        tokens.redeem(token, "CA2")
    tokens.redeem(token, "CA1")
    with pytest.raises(StreamTokenError, match="already used"):
        tokens.redeem(token, "CA1")


@pytest.mark.parametrize("bad", ["", "abc", "1.2.3", "9999999999.nonce.AAAA", "1.2.3.4"])
def test_malformed_or_forged_tokens_are_refused(bad: str) -> None:
    with pytest.raises(StreamTokenError):
        StreamTokens(b"secret").redeem(bad, "CA1")


def test_tokens_expire_and_other_secrets_do_not_verify() -> None:
    clock = Clock()
    tokens = StreamTokens(b"secret", ttl_s=60, clock=clock)
    token = tokens.issue("CA1")
    with pytest.raises(StreamTokenError, match="this call"):
        StreamTokens(b"another-secret", clock=clock).redeem(token, "CA1")
    clock.now += 61
    with pytest.raises(StreamTokenError, match="expired"):
        tokens.redeem(token, "CA1")
