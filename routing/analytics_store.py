"""Writes chat analytics to the database: per-day counters, the top-1 window, unclear questions (masked).

Counters are incremented with one INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL), so several app
processes add to the same row without losing counts. A failed write is logged (error type only, never text)
and dropped: analytics must not fail a resident's chat. Unclear questions older than ``retention_days``
are deleted, once a day per process, on the first write of the day; the counts carry no text and stay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from core.clock import to_tokyo, utcnow
from core.logging import get_logger
from routing.analytics_models import RoutingDailyCounts, RoutingDailyWindow, RoutingUnclearQuestion
from routing.conversations import MaskedTurn

log = get_logger("madoguchi.routing.analytics")
DAILY = cast(Table, RoutingDailyCounts.__table__)
WINDOWS = cast(Table, RoutingDailyWindow.__table__)
MAX_QUESTION_CHARS = 400  # the gateway accepts no longer message; masking may lengthen it a little


def tokyo_day(moment: datetime) -> date:
    return to_tokyo(moment).date()


class DatabaseAnalytics:
    """The ``ChatAnalytics`` the gateway uses when the app has a database."""

    def __init__(self, sessions: sessionmaker[Session], retention_days: int = 90,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._retention_days = retention_days
        self._clock = clock
        self._purged_on: date | None = None

    def record_turn(self, turn: MaskedTurn, *, new_conversation: bool, clarifying: bool,
                    out_of_scope: bool) -> None:
        counts = {"conversations": int(new_conversation), "messages": 1, "crisis": int(turn.crisis),
                  "clarifying": int(clarifying), "out_of_scope": int(out_of_scope)}
        question = turn if clarifying else None
        self._write("turn", lambda session, day: self._turn(session, day, counts, turn, question))

    def record_feedback(self, helpful: bool, question: MaskedTurn | None) -> None:
        counts = {"helpful": 1} if helpful else {"not_helpful": 1}
        self._write("feedback", lambda session, day: self._feedback(session, day, counts, question))

    def _turn(self, session: Session, day: date, counts: Mapping[str, int], turn: MaskedTurn,
              question: MaskedTurn | None) -> None:
        increment(session, DAILY, {"day": day}, counts)
        if turn.windows:
            increment(session, WINDOWS, {"day": day, "window_id": turn.windows[0]}, {"recommended": 1})
        if question is not None:
            _add_question(session, day, "clarifying", question)

    def _feedback(self, session: Session, day: date, counts: Mapping[str, int],
                  question: MaskedTurn | None) -> None:
        increment(session, DAILY, {"day": day}, counts)
        if question is not None:
            _add_question(session, day, "not_helpful", question)

    def _write(self, what: str, write: Callable[[Session, date], None]) -> None:
        try:
            day = tokyo_day(self._clock())
            with self._sessions() as session, session.begin():
                write(session, day)
            self._purge_once_a_day(day)
        except Exception as exc:  # any failure: the resident's reply still goes out
            log.warning("routing.analytics_failed", record=what, error=type(exc).__name__)

    def _purge_once_a_day(self, today: date) -> None:
        if self._purged_on == today:
            return
        with self._sessions() as session, session.begin():
            deleted = purge_expired(session, today, self._retention_days)
        self._purged_on = today  # two threads purging the same day at once is harmless
        if deleted:
            log.info("routing.analytics_purged", questions=deleted, retention_days=self._retention_days)


def purge_expired(session: Session, today: date, retention_days: int) -> int:
    """Delete unclear questions from days before the retention window; returns how many."""
    oldest_kept = today - timedelta(days=retention_days - 1)
    result = session.execute(delete(RoutingUnclearQuestion).where(RoutingUnclearQuestion.day < oldest_kept))
    return int(getattr(result, "rowcount", 0) or 0)


def increment(session: Session, table: Table, keys: Mapping[str, Any], counts: Mapping[str, int]) -> None:
    """Add ``counts`` to the row with ``keys``, creating it (other counters 0) if it is missing."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**keys, **counts)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: table.c[name] + statement.excluded[name] for name in counts}
    )
    session.execute(statement)


def _add_question(session: Session, day: date, reason: str, question: MaskedTurn) -> None:
    session.add(RoutingUnclearQuestion(day=day, reason=reason, intent=question.intent,
                                       text_masked=question.masked_text[:MAX_QUESTION_CHARS]))
