"""Voice tables: calls, their turns, and handoffs (transfers and callback requests) for the inbox.

Caller speech, phone numbers and the flow context (which holds the last question) are stored encrypted
(core.crypto.DataCipher). `*_masked` columns hold the masked text for display once masking/ is wired in;
until then they stay empty and the console decrypts (an audited raw view).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Call(Base):
    __tablename__ = "voice_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    asr_path: Mapped[str] = mapped_column(String(16))  # gather | stream
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    state: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    context_enc: Mapped[bytes] = mapped_column(LargeBinary)
    caller_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    raw_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recording_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)  # Twilio's, when recording


class Turn(Base):
    __tablename__ = "voice_turns"
    __table_args__ = (UniqueConstraint("call_id", "seq", name="uq_voice_turns_call_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("voice_calls.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(16))
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    text_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    faq_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    decision: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state_after: Mapped[str] = mapped_column(String(32))
    actions_enc: Mapped[bytes] = mapped_column(LargeBinary)  # the reply, replayed verbatim on a retry
    handle_ms: Mapped[float | None] = mapped_column(Float, nullable=True)


class Handoff(Base):
    __tablename__ = "voice_handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("voice_calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # transfer | callback
    reason: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    question_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    question_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    transcript_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # JSON list of utterances
    transcript_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    candidates: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[faq_id, score], …]; no personal data
    callback_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)  # open | done
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
