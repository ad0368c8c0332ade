"""The call states and which moves between them are allowed (checked by CallFlow._move)."""

from __future__ import annotations

import enum


class CallState(enum.StrEnum):
    NEW = "new"  # ringing, nothing said yet
    LISTENING = "listening"  # waiting for a question
    CLARIFYING = "clarifying"  # asked a yes/no question to choose between two FAQs
    FOLLOW_UP = "follow_up"  # answered; asked 「ほかにご質問はありますか」
    TRANSFERRING = "transferring"  # handed to staff (<Dial>/<Enqueue>)
    CALLBACK_OFFER = "callback_offer"  # staff unavailable: offered a callback (1 yes / 2 no)
    CALLBACK_NUMBER = "callback_number"  # collecting the callback number by keypad
    CALLBACK_CONFIRM = "callback_confirm"  # read the number back: 1 confirm / 2 re-enter
    ENDED = "ended"


S = CallState
_CONVERSATION = frozenset({S.LISTENING, S.CLARIFYING, S.FOLLOW_UP, S.TRANSFERRING, S.CALLBACK_OFFER, S.ENDED})

TRANSITIONS: dict[CallState, frozenset[CallState]] = {
    S.NEW: frozenset({S.LISTENING, S.ENDED}),
    S.LISTENING: _CONVERSATION,
    S.CLARIFYING: _CONVERSATION,
    S.FOLLOW_UP: _CONVERSATION,
    S.TRANSFERRING: frozenset({S.CALLBACK_OFFER, S.ENDED}),
    S.CALLBACK_OFFER: frozenset({S.CALLBACK_NUMBER, S.ENDED}),
    S.CALLBACK_NUMBER: frozenset({S.CALLBACK_CONFIRM, S.ENDED}),
    S.CALLBACK_CONFIRM: frozenset({S.CALLBACK_NUMBER, S.ENDED}),
    S.ENDED: frozenset(),
}
