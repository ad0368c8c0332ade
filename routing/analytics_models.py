"""Chat analytics tables: daily counts, top-1 windows per day, and unclear questions (masked text only).

Nothing here identifies a resident: no session id, no address, no time finer than the day (the id orders
questions newest first). A question's text is the gateway's masked text; the raw message is never stored.
Days are Asia/Tokyo calendar days.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

COUNTERS = ("conversations", "messages", "crisis", "clarifying", "out_of_scope", "helpful", "not_helpful")


def _counter() -> Mapped[int]:
    return mapped_column(Integer, default=0, server_default=text("0"))


class RoutingDailyCounts(Base):
    __tablename__ = "routing_daily_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    conversations: Mapped[int] = _counter()
    messages: Mapped[int] = _counter()
    crisis: Mapped[int] = _counter()  # messages that got the emergency lines
    clarifying: Mapped[int] = _counter()  # vague messages answered with a clarifying question
    out_of_scope: Mapped[int] = _counter()  # not a welfare question (sent to the general line)
    helpful: Mapped[int] = _counter()  # feedback 役に立った
    not_helpful: Mapped[int] = _counter()  # feedback 役に立たなかった


class RoutingDailyWindow(Base):
    """How often a window was the first recommendation on a day."""

    __tablename__ = "routing_daily_windows"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    window_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recommended: Mapped[int] = _counter()


class RoutingUnclearQuestion(Base):
    """A question the bot had to ask back about, or that a resident said did not help (masked text only)."""

    __tablename__ = "routing_unclear_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(String(16))  # clarifying | not_helpful
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text_masked: Mapped[str] = mapped_column(Text)
