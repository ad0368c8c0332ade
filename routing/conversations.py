"""Chat sessions that expire, holding only masked text, and analytics without personal data.

The lasting counts are written through a ``ChatAnalytics`` (``routing.analytics_store`` keeps them in the
database); the store's own counters cover this process since it started.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class MaskedTurn:
    masked_text: str  # personal information already replaced; the raw text is never stored
    intent: str | None
    windows: tuple[str, ...]
    crisis: bool


@dataclass
class Conversation:
    session_id: str
    started: float
    last_seen: float
    turns: list[MaskedTurn] = field(default_factory=list)
    feedback: str | None = None  # "helpful" | "not_helpful"


class ChatAnalytics(Protocol):
    """Records what happened in a chat, without personal data. Implementations never raise: a failed
    write must not fail a resident's request."""

    def record_turn(self, turn: MaskedTurn, *, new_conversation: bool, clarifying: bool,
                    out_of_scope: bool) -> None: ...

    def record_feedback(self, helpful: bool, question: MaskedTurn | None) -> None: ...


@dataclass(frozen=True)
class RoutingAnalytics:
    conversations: int
    messages: int
    crisis_messages: int
    clarifying_questions: int
    out_of_scope: int
    windows_recommended: dict[str, int]
    helpful: int
    not_helpful: int


class ConversationStore:
    """In-process store; a session ends ``ttl_seconds`` after its last message (counts survive it, until the
    process ends)."""

    def __init__(self, ttl_seconds: float = 30 * 60, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._sessions: dict[str, Conversation] = {}
        self._lock = threading.Lock()
        self._conversations = self._messages = self._crisis = self._clarify = self._oos = 0
        self._helpful = self._not_helpful = 0
        self._windows: Counter[str] = Counter()

    def add_turn(self, session_id: str, turn: MaskedTurn, *, clarifying: bool, out_of_scope: bool) -> Conversation:
        now = self._clock()
        with self._lock:
            self._expire(now)
            conversation = self._sessions.get(session_id)
            if conversation is None:
                conversation = Conversation(session_id, started=now, last_seen=now)
                self._sessions[session_id] = conversation
                self._conversations += 1
            conversation.last_seen = now
            conversation.turns.append(turn)
            self._messages += 1
            self._crisis += turn.crisis
            self._clarify += clarifying
            self._oos += out_of_scope
            self._windows.update(turn.windows[:1])
            return conversation

    def get(self, session_id: str) -> Conversation | None:
        with self._lock:
            self._expire(self._clock())
            return self._sessions.get(session_id)

    def record_feedback(self, session_id: str, helpful: bool) -> bool:
        with self._lock:
            conversation = self._sessions.get(session_id)
            if conversation is None or conversation.feedback is not None:
                return False
            conversation.feedback = "helpful" if helpful else "not_helpful"
            if helpful:
                self._helpful += 1
            else:
                self._not_helpful += 1
            return True

    def analytics(self) -> RoutingAnalytics:
        with self._lock:
            return RoutingAnalytics(
                conversations=self._conversations,
                messages=self._messages,
                crisis_messages=self._crisis,
                clarifying_questions=self._clarify,
                out_of_scope=self._oos,
                windows_recommended=dict(self._windows.most_common()),
                helpful=self._helpful,
                not_helpful=self._not_helpful,
            )

    def _expire(self, now: float) -> None:
        for session_id in [s for s, c in self._sessions.items() if now - c.last_seen > self._ttl]:
            del self._sessions[session_id]
