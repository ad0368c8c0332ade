"""Server-side records of staff sessions, so that logging out really ends a session.

The signed cookie alone would stay valid until it expires even after logout (a copied cookie could be
replayed). The cookie carries a random token; this table holds its SHA-256 and when the session ended.
A session counts only while its row exists, has not ended and is younger than the maximum session age.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.db import Base


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)


def start_session(db: Session, user_id: int, max_age_seconds: int) -> str:
    """A new session for ``user_id``; returns the token for the cookie. Also drops long-expired rows."""
    db.execute(delete(StaffSession).where(StaffSession.started_at < utcnow() - timedelta(seconds=max_age_seconds * 2)))
    token = secrets.token_urlsafe(32)
    db.add(StaffSession(token_hash=_digest(token), user_id=user_id, started_at=utcnow()))
    db.flush()
    return token


def session_user_id(db: Session, token: str, max_age_seconds: int) -> int | None:
    """The user of a live session, or None when it is unknown, ended or too old."""
    row = db.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
    if row is None or row.ended_at is not None:
        return None
    if utcnow() - _aware(row.started_at) >= timedelta(seconds=max_age_seconds):
        return None
    return row.user_id


def end_session(db: Session, token: str) -> None:
    db.execute(update(StaffSession).where(StaffSession.token_hash == _digest(token), StaffSession.ended_at.is_(None))
               .values(ended_at=utcnow()))


def end_all_sessions(db: Session, user_id: int) -> int:
    """End every live session of one account (deactivation, password reset by an admin)."""
    result = db.execute(update(StaffSession).where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
                        .values(ended_at=utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]
