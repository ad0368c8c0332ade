"""Reads chat analytics for a period of Tokyo days: totals, feedback, top-1 windows, per day, unclear questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.analytics_models import COUNTERS, RoutingDailyCounts, RoutingDailyWindow, RoutingUnclearQuestion

PERIODS = (7, 30, 90)
MAX_QUESTIONS = 100


@dataclass
class DayCounts:
    day: date
    conversations: int = 0
    messages: int = 0
    crisis: int = 0
    clarifying: int = 0
    out_of_scope: int = 0
    helpful: int = 0
    not_helpful: int = 0


@dataclass(frozen=True)
class UnclearQuestion:
    day: date
    reason: str
    intent: str | None
    text_masked: str


@dataclass
class PeriodAnalytics:
    first: date
    last: date
    totals: DayCounts
    days: list[DayCounts]  # every day of the period, newest first (days without chats are zeros)
    windows: list[tuple[str, int]]  # window id, times recommended first; most first
    questions: list[UnclearQuestion] = field(default_factory=list)  # newest first, at most MAX_QUESTIONS
    questions_total: int = 0

    @property
    def feedback(self) -> int:
        return self.totals.helpful + self.totals.not_helpful

    @property
    def helpful_rate(self) -> float | None:
        """Share of 役に立った among the answers (None without any)."""
        return self.totals.helpful / self.feedback if self.feedback else None


def period_analytics(session: Session, last: date, days: int,
                     max_questions: int = MAX_QUESTIONS) -> PeriodAnalytics:
    first = last - timedelta(days=days - 1)
    by_day = {first + timedelta(days=n): DayCounts(first + timedelta(days=n)) for n in range(days)}
    rows = session.scalars(select(RoutingDailyCounts).where(RoutingDailyCounts.day.between(first, last)))
    totals = DayCounts(last)
    for row in rows:
        counts = by_day[row.day]
        for name in COUNTERS:
            value = getattr(row, name)
            setattr(counts, name, value)
            setattr(totals, name, getattr(totals, name) + value)
    recommended = func.sum(RoutingDailyWindow.recommended)
    windows = session.execute(
        select(RoutingDailyWindow.window_id, recommended)
        .where(RoutingDailyWindow.day.between(first, last))
        .group_by(RoutingDailyWindow.window_id)
        .order_by(recommended.desc(), RoutingDailyWindow.window_id)
    ).all()
    in_period = RoutingUnclearQuestion.day.between(first, last)
    questions = session.scalars(
        select(RoutingUnclearQuestion).where(in_period)
        .order_by(RoutingUnclearQuestion.day.desc(), RoutingUnclearQuestion.id.desc()).limit(max_questions)
    )
    return PeriodAnalytics(
        first=first,
        last=last,
        totals=totals,
        days=sorted(by_day.values(), key=lambda d: d.day, reverse=True),
        windows=[(str(window_id), int(count)) for window_id, count in windows],
        questions=[UnclearQuestion(q.day, q.reason, q.intent, q.text_masked) for q in questions],
        questions_total=session.scalar(select(func.count()).select_from(RoutingUnclearQuestion).where(in_period))
        or 0,
    )
