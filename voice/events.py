"""What happens on a call, as typed values: events in, actions out, records to keep.

Both speech paths speak this vocabulary. The `gather` path turns Twilio webhook forms into events and
actions into TwiML (voice/twiml.py); the `stream` path turns Media Stream messages into the same events
and speaks the same actions. The call flow (voice/flow.py) only ever sees these types.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

# ---------------------------------------------------------------- events (caller/telephony -> flow)


@dataclass(frozen=True)
class CallStarted:
    """The call was answered by the bot."""


@dataclass(frozen=True)
class CallerSaid:
    """A finished utterance (ASR final result). confidence is the ASR's own, 0..1 (None if unknown)."""

    text: str
    confidence: float | None = None


@dataclass(frozen=True)
class CallerPressed:
    """Keypad input: one key for menus, a whole number (without the finishing '#') when collecting digits."""

    digits: str


@dataclass(frozen=True)
class Silence:
    """The caller said nothing before the listen timed out (Twilio: empty Gather result)."""


@dataclass(frozen=True)
class HangUp:
    """The caller (or the network) ended the call."""


@dataclass(frozen=True)
class TransferEnded:
    """A <Dial>/<Enqueue> finished. connected=False means nobody picked up (busy, no answer, failed)."""

    connected: bool


CallEvent = CallStarted | CallerSaid | CallerPressed | Silence | HangUp | TransferEnded

# ---------------------------------------------------------------- actions (flow -> caller/telephony)


class ListenFor(enum.StrEnum):
    """What the next listen expects; it decides timeouts and which inputs are offered."""

    QUESTION = "question"  # free speech (or 0 / 9)
    YES_NO = "yes_no"  # speech or one key
    MENU = "menu"  # one key (1/2), speech also accepted
    PHONE_NUMBER = "phone_number"  # keypad digits finished by '#'


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Listen:
    """Wait for the caller. Always the last action of a step that keeps the call going.

    A stream implementation collects keypad digits until `finish_on_key` (or `max_digits`) and then
    reports one CallerPressed; for one-key listens it reports each key at once.
    """

    expect: ListenFor
    hints: tuple[str, ...] = ()
    max_digits: int | None = 1
    finish_on_key: str = ""
    timeout_s: int = 6


@dataclass(frozen=True)
class Transfer:
    """Put the caller through to staff by dialling `number`; `whisper` is said to the staff member first."""

    department: str
    number: str
    whisper: str


@dataclass(frozen=True)
class Enqueue:
    """Hand the caller to a Twilio queue that staff answer; the caller hears hold audio meanwhile."""

    department: str
    queue: str
    whisper: str


@dataclass(frozen=True)
class Hangup:
    pass


Action = Say | Listen | Transfer | Enqueue | Hangup
_ACTION_TYPES: dict[str, type] = {t.__name__: t for t in (Say, Listen, Transfer, Enqueue, Hangup)}


def action_to_dict(action: Action) -> dict[str, Any]:
    data = asdict(action)
    if isinstance(action, Listen):
        data["expect"] = action.expect.value
        data["hints"] = list(action.hints)
    return {"type": type(action).__name__, **data}


def action_from_dict(data: dict[str, Any]) -> Action:
    fields = dict(data)
    cls = _ACTION_TYPES[fields.pop("type")]
    if cls is Listen:
        fields["expect"] = ListenFor(fields["expect"])
        fields["hints"] = tuple(fields.get("hints", ()))
    action: Action = cls(**fields)
    return action


# ---------------------------------------------------------------- records (flow -> call store)


class Outcome(enum.StrEnum):
    RESOLVED = "resolved"  # answered, caller satisfied or left after an answer
    TRANSFERRED = "transferred"  # put through to staff
    CALLBACK = "callback"  # left a callback request
    ABANDONED = "abandoned"  # hung up before anything was resolved
    UNRESOLVED = "unresolved"  # the bot ended the call without resolution (declined callback, no input)


@dataclass(frozen=True)
class TurnRecord:
    """One caller input and what the bot did with it (kept in the turns table)."""

    kind: str  # "said" | "pressed" | "silence" | "started" | "hangup" | "transfer_ended"
    text: str | None = None  # caller speech; stored masked/encrypted, never logged
    confidence: float | None = None
    faq_id: str | None = None
    score: float | None = None
    decision: str | None = None  # answer | clarify | transfer | miss | repeat | goodbye | …
    reason: str | None = None


@dataclass(frozen=True)
class HandoffRequest:
    """The bot could not resolve the call: staff should see this in the inbox at once."""

    kind: str  # "transfer" | "callback"
    reason: str  # human_request | dtmf_zero | transfer_faq | misses | low_confidence | silence | not_helpful | …
    department: str
    question: str | None
    candidates: tuple[tuple[str, float], ...] = ()
    callback_number: str | None = None  # digits only; stored encrypted


@dataclass
class FlowStep:
    """The result of one event: what to do now and what to keep."""

    actions: list[Action] = field(default_factory=list)
    turn: TurnRecord | None = None
    handoff: HandoffRequest | None = None
    outcome: Outcome | None = None  # set when the call is over (or, for transfers, handed over)
