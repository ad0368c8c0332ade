"""Twilio Media Streams JSON ⇄ typed events. The one place that knows the wire format.

Pure: no sockets, no I/O. The websocket route hands text frames to :func:`parse_message` and
sends whatever :func:`serialize` returns. Message shapes follow Twilio's "Media Streams -
WebSocket Messages" reference (bidirectional streams).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any


class MediaProtocolError(ValueError):
    """A frame that is not a well-formed Twilio Media Stream message."""


# --- inbound (Twilio → us) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Connected:
    protocol: str
    version: str


@dataclass(frozen=True)
class Start:
    stream_sid: str
    call_sid: str
    account_sid: str
    tracks: tuple[str, ...] = ("inbound",)
    custom_parameters: dict[str, str] = field(default_factory=dict)
    encoding: str = "audio/x-mulaw"
    sample_rate: int = 8000
    channels: int = 1
    sequence_number: int = 0


@dataclass(frozen=True)
class Media:
    """One chunk of caller audio (20 ms of 8 kHz μ-law on a phone call)."""

    stream_sid: str
    payload: bytes
    timestamp_ms: int
    track: str = "inbound"
    chunk: int = 0
    sequence_number: int = 0


@dataclass(frozen=True)
class Dtmf:
    stream_sid: str
    digit: str
    track: str = "inbound_track"
    sequence_number: int = 0


@dataclass(frozen=True)
class MarkReached:
    """Twilio finished playing everything sent before the mark of this name."""

    stream_sid: str
    name: str
    sequence_number: int = 0


@dataclass(frozen=True)
class Stop:
    stream_sid: str
    call_sid: str
    account_sid: str = ""
    sequence_number: int = 0


InboundEvent = Connected | Start | Media | Dtmf | MarkReached | Stop


# --- outbound (us → Twilio) --------------------------------------------------------------------


@dataclass(frozen=True)
class OutboundMedia:
    stream_sid: str
    payload: bytes  # 8 kHz μ-law


@dataclass(frozen=True)
class OutboundMark:
    stream_sid: str
    name: str


@dataclass(frozen=True)
class Clear:
    """Drop whatever audio Twilio still has buffered for playback (barge-in)."""

    stream_sid: str


OutboundMessage = OutboundMedia | OutboundMark | Clear


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _obj(message: dict[str, Any], key: str) -> dict[str, Any]:
    value = message.get(key)
    if not isinstance(value, dict):
        raise MediaProtocolError(f"'{message.get('event')}' message without a '{key}' object")
    return value


def parse_message(text: str | bytes) -> InboundEvent | None:
    """Decode one websocket text frame; ``None`` for events this bot does not use."""
    try:
        message = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MediaProtocolError("frame is not JSON") from exc
    if not isinstance(message, dict):
        raise MediaProtocolError("frame is not a JSON object")
    event = message.get("event")
    seq = _int(message.get("sequenceNumber"))
    stream_sid = str(message.get("streamSid", ""))
    if event == "connected":
        return Connected(protocol=str(message.get("protocol", "")), version=str(message.get("version", "")))
    if event == "start":
        start = _obj(message, "start")
        fmt = start.get("mediaFormat") or {}
        params = start.get("customParameters") or {}
        return Start(
            stream_sid=str(start.get("streamSid") or stream_sid),
            call_sid=str(start.get("callSid", "")),
            account_sid=str(start.get("accountSid", "")),
            tracks=tuple(str(t) for t in start.get("tracks") or ("inbound",)),
            custom_parameters={str(k): str(v) for k, v in params.items()},
            encoding=str(fmt.get("encoding", "audio/x-mulaw")),
            sample_rate=_int(fmt.get("sampleRate"), 8000),
            channels=_int(fmt.get("channels"), 1),
            sequence_number=seq,
        )
    if event == "media":
        media = _obj(message, "media")
        try:
            payload = base64.b64decode(str(media.get("payload", "")), validate=True)
        except binascii.Error as exc:
            raise MediaProtocolError("media payload is not base64") from exc
        return Media(
            stream_sid=stream_sid,
            payload=payload,
            timestamp_ms=_int(media.get("timestamp")),
            track=str(media.get("track", "inbound")),
            chunk=_int(media.get("chunk")),
            sequence_number=seq,
        )
    if event == "dtmf":
        dtmf = _obj(message, "dtmf")
        return Dtmf(stream_sid=stream_sid, digit=str(dtmf.get("digit", "")),
                    track=str(dtmf.get("track", "inbound_track")), sequence_number=seq)
    if event == "mark":
        mark = _obj(message, "mark")
        return MarkReached(stream_sid=stream_sid, name=str(mark.get("name", "")), sequence_number=seq)
    if event == "stop":
        stop = message.get("stop") or {}
        return Stop(stream_sid=stream_sid, call_sid=str(stop.get("callSid", "")),
                    account_sid=str(stop.get("accountSid", "")), sequence_number=seq)
    if isinstance(event, str):
        return None  # e.g. future event types: ignored, as Twilio asks
    raise MediaProtocolError("frame has no 'event'")


def serialize(message: OutboundMessage) -> str:
    if isinstance(message, OutboundMedia):
        body: dict[str, Any] = {"event": "media", "streamSid": message.stream_sid,
                                "media": {"payload": base64.b64encode(message.payload).decode("ascii")}}
    elif isinstance(message, OutboundMark):
        body = {"event": "mark", "streamSid": message.stream_sid, "mark": {"name": message.name}}
    else:
        body = {"event": "clear", "streamSid": message.stream_sid}
    return json.dumps(body, separators=(",", ":"))


# The inverse direction, used by simulated callers (tests, benchmarks, the softphone).


def serialize_inbound(event: InboundEvent) -> str:
    if isinstance(event, Connected):
        body: dict[str, Any] = {"event": "connected", "protocol": event.protocol, "version": event.version}
    elif isinstance(event, Start):
        body = {"event": "start", "sequenceNumber": str(event.sequence_number), "streamSid": event.stream_sid,
                "start": {"streamSid": event.stream_sid, "callSid": event.call_sid,
                          "accountSid": event.account_sid, "tracks": list(event.tracks),
                          "customParameters": dict(event.custom_parameters),
                          "mediaFormat": {"encoding": event.encoding, "sampleRate": event.sample_rate,
                                          "channels": event.channels}}}
    elif isinstance(event, Media):
        body = {"event": "media", "sequenceNumber": str(event.sequence_number), "streamSid": event.stream_sid,
                "media": {"track": event.track, "chunk": str(event.chunk), "timestamp": str(event.timestamp_ms),
                          "payload": base64.b64encode(event.payload).decode("ascii")}}
    elif isinstance(event, Dtmf):
        body = {"event": "dtmf", "sequenceNumber": str(event.sequence_number), "streamSid": event.stream_sid,
                "dtmf": {"track": event.track, "digit": event.digit}}
    elif isinstance(event, MarkReached):
        body = {"event": "mark", "sequenceNumber": str(event.sequence_number), "streamSid": event.stream_sid,
                "mark": {"name": event.name}}
    else:
        body = {"event": "stop", "sequenceNumber": str(event.sequence_number), "streamSid": event.stream_sid,
                "stop": {"accountSid": event.account_sid, "callSid": event.call_sid}}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def parse_outbound(text: str | bytes) -> OutboundMessage:
    """Decode what the bot sent (for simulated callers)."""
    message = json.loads(text)
    event, sid = message.get("event"), str(message.get("streamSid", ""))
    if event == "media":
        return OutboundMedia(stream_sid=sid, payload=base64.b64decode(message["media"]["payload"]))
    if event == "mark":
        return OutboundMark(stream_sid=sid, name=str(message["mark"]["name"]))
    if event == "clear":
        return Clear(stream_sid=sid)
    raise MediaProtocolError(f"unknown outbound event {event!r}")
