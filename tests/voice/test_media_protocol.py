"""Twilio Media Stream JSON ⇄ typed events: the real message shapes, both directions."""

from __future__ import annotations

import base64
import json

import pytest

from voice.media_protocol import (
    Clear,
    Connected,
    Dtmf,
    MarkReached,
    Media,
    MediaProtocolError,
    OutboundMark,
    OutboundMedia,
    Start,
    Stop,
    parse_message,
    parse_outbound,
    serialize,
    serialize_inbound,
)

SID = "MZ18ad3ab5a668481ce02b83e7395059f0"
CALL = "CA0123456789abcdef0123456789abcdef"
ACCOUNT = "AC" + "0" * 32

# Frames exactly as Twilio documents them (Media Streams → WebSocket Messages).
TWILIO_FRAMES = [
    ({"event": "connected", "protocol": "Call", "version": "1.0.0"}, Connected("Call", "1.0.0")),
    ({"event": "start", "sequenceNumber": "1", "streamSid": SID,
      "start": {"accountSid": ACCOUNT, "streamSid": SID, "callSid": CALL, "tracks": ["inbound"],
                "customParameters": {"token": "t0k", "expect": "question"},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}},
     Start(stream_sid=SID, call_sid=CALL, account_sid=ACCOUNT, tracks=("inbound",),
           custom_parameters={"token": "t0k", "expect": "question"}, sequence_number=1)),
    ({"event": "media", "sequenceNumber": "3", "streamSid": SID,
      "media": {"track": "inbound", "chunk": "1", "timestamp": "5",
                "payload": base64.b64encode(b"\xff\x7f\x00\x80").decode()}},
     Media(stream_sid=SID, payload=b"\xff\x7f\x00\x80", timestamp_ms=5, track="inbound", chunk=1, sequence_number=3)),
    ({"event": "dtmf", "streamSid": SID, "sequenceNumber": "5", "dtmf": {"track": "inbound_track", "digit": "0"}},
     Dtmf(stream_sid=SID, digit="0", sequence_number=5)),
    ({"event": "mark", "sequenceNumber": "4", "streamSid": SID, "mark": {"name": "reply-1"}},
     MarkReached(stream_sid=SID, name="reply-1", sequence_number=4)),
    ({"event": "stop", "sequenceNumber": "5", "streamSid": SID, "stop": {"accountSid": ACCOUNT, "callSid": CALL}},
     Stop(stream_sid=SID, call_sid=CALL, account_sid=ACCOUNT, sequence_number=5)),
]


@pytest.mark.parametrize(("frame", "expected"), TWILIO_FRAMES, ids=[f["event"] for f, _ in TWILIO_FRAMES])
def test_twilio_frames_become_typed_events_and_back(frame: dict[str, object], expected: object) -> None:
    event = parse_message(json.dumps(frame))
    assert event == expected
    assert event is not None
    assert parse_message(serialize_inbound(event)) == expected  # the simulator speaks the same format


@pytest.mark.parametrize(("message", "wire"), [
    (OutboundMedia(SID, b"\x01\x02"), {"event": "media", "streamSid": SID, "media": {"payload": "AQI="}}),
    (OutboundMark(SID, "reply-7"), {"event": "mark", "streamSid": SID, "mark": {"name": "reply-7"}}),
    (Clear(SID), {"event": "clear", "streamSid": SID}),
])
def test_outbound_messages_have_twilios_shape(message: OutboundMedia | OutboundMark | Clear,
                                              wire: dict[str, object]) -> None:
    assert json.loads(serialize(message)) == wire
    assert parse_outbound(serialize(message)) == message


def test_unknown_events_are_ignored_and_garbage_is_refused() -> None:
    assert parse_message('{"event": "something-new", "streamSid": "MZ1"}') is None
    for bad in ("not json", "[1, 2]", '{"no": "event"}', '{"event": "media", "media": {"payload": "%%%"}}',
                '{"event": "start"}'):
        with pytest.raises(MediaProtocolError):
            parse_message(bad)
