"""Append-only audit log with a hash chain.

Each entry stores the hash of the previous one; ``audit_anchor`` holds the latest sequence number and
hash. A modified entry breaks its own hash, a deleted entry breaks the chain (or, at the tail, the
anchor). Database triggers (see the core migration) refuse UPDATE and DELETE on ``audit_log``.
Details must never contain personal information: record ids and reasons, not text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.db import Base

GENESIS = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    __tablename__ = "audit_anchor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def entry_digest(seq: int, at: datetime, actor: str, action: str, target_type: str, target_id: str,
                 detail: str, prev_hash: str) -> str:
    payload = json.dumps(
        [seq, _utc_text(at), actor, action, target_type, target_id, detail, prev_hash],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, actor: str, action: str, target_type: str, target_id: str | int,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits with the change it describes)."""
    # Touch the anchor first: this takes the write lock (SQLite) or the row lock (PostgreSQL), so
    # concurrent appends are serialized and the chain never forks.
    locked = session.execute(update(AuditAnchor).where(AuditAnchor.id == 1)
                             .values(last_seq=AuditAnchor.last_seq))
    if locked.rowcount == 0:  # type: ignore[attr-defined]
        session.add(AuditAnchor(id=1, last_seq=0, last_hash=GENESIS))
        session.flush()
    anchor = session.get(AuditAnchor, 1, populate_existing=True)
    assert anchor is not None
    seq = anchor.last_seq + 1
    at = utcnow()
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = entry_digest(seq, at, actor, action, target_type, str(target_id), detail_text, anchor.last_hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, target_type=target_type,
                       target_id=str(target_id), detail=detail_text, prev_hash=anchor.last_hash,
                       entry_hash=digest)
    session.add(entry)
    anchor.last_seq = seq
    anchor.last_hash = digest
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    problem: str


@dataclass(frozen=True)
class AuditReport:
    entries: int
    head_hash: str
    problems: list[AuditProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session) -> AuditReport:
    problems: list[AuditProblem] = []
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        count += 1
        if entry.seq != expected_seq:
            problems.append(AuditProblem(expected_seq, f"entries {expected_seq}..{entry.seq - 1} are missing"))
        if entry.prev_hash != expected_prev:
            problems.append(AuditProblem(entry.seq, "chain broken: previous hash does not match"))
        digest = entry_digest(entry.seq, entry.at, entry.actor, entry.action, entry.target_type,
                              entry.target_id, entry.detail, entry.prev_hash)
        if digest != entry.entry_hash:
            problems.append(AuditProblem(entry.seq, "entry was modified: its hash does not match"))
        expected_prev = entry.entry_hash
        expected_seq = entry.seq + 1
    anchor = session.get(AuditAnchor, 1)
    last_seq, last_hash = (anchor.last_seq, anchor.last_hash) if anchor else (0, GENESIS)
    if last_seq != expected_seq - 1 or last_hash != expected_prev:
        problems.append(AuditProblem(last_seq, "the latest entries were deleted or the anchor was changed"))
    return AuditReport(entries=count, head_hash=last_hash, problems=problems)
