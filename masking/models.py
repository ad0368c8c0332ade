"""Masking tables: consultations, their masked transcript versions, review decisions, AI summaries and
AI risk reports.

What is encrypted (core.crypto.DataCipher): the raw transcript, the raw audio (a file under data_dir,
see ``masking.storage``) and each version's placeholder mapping. Masked text is stored as is — it is
what staff review and what an LLM may see. Raw data is deleted after ``raw_retention_days``
(``masking.retention``); masked versions, decisions and summaries stay.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base


class Consultation(Base):
    __tablename__ = "masking_consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # audio | text
    status: Mapped[str] = mapped_column(String(32), index=True)  # masking.status.ConsultationStatus
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)  # Japanese, for staff; no PII
    notice: Mapped[str | None] = mapped_column(Text, nullable=True)  # e.g. why a summary was blocked
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audio_file: Mapped[str | None] = mapped_column(String(255), nullable=True)  # relative to data_dir
    audio_format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    audio_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    raw_transcript_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    raw_chars: Mapped[int | None] = mapped_column(Integer, nullable=True)
    raw_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class MaskedTranscript(Base):
    """One version of the masked transcript. Version 1 comes from the detector; every reviewer change
    (unmask, add a mask) makes a new version, so an approval names the exact text it approved."""

    __tablename__ = "masking_transcripts"
    __table_args__ = (UniqueConstraint("consultation_id", "number", name="uq_masking_transcripts_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("masking_consultations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # JSON [{"start", "end", "label", "origin": "detector" | "reviewer"}], offsets into the raw transcript
    spans: Mapped[str] = mapped_column(Text)
    masked_text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))  # sha256 of masked_text
    mapping_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # placeholder → original
    created_by: Mapped[str] = mapped_column(String(64))  # "system" for the detector
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    change_kind: Mapped[str] = mapped_column(String(16))  # detect | unmask | mask
    change_label: Mapped[str | None] = mapped_column(String(32), nullable=True)
    change_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReviewDecision(Base):
    """A reviewer approved (for generative-AI input) or rejected one exact version."""

    __tablename__ = "masking_review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("masking_consultations.id", ondelete="CASCADE"), index=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("masking_transcripts.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(16))  # approved | rejected
    reviewer: Mapped[str] = mapped_column(String(64))
    reviewer_name: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    text_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Summary(Base):
    """An AI summary of one approved version: AI生成・要確認 until a staff member confirms it."""

    __tablename__ = "masking_summaries"
    __table_args__ = (UniqueConstraint("decision_id", name="uq_masking_summaries_decision_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("masking_consultations.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("masking_review_decisions.id", ondelete="CASCADE"))
    text_hash: Mapped[str] = mapped_column(String(64))  # the approved text it was made from
    generator: Mapped[str] = mapped_column(String(32))  # extractive | openai-compatible
    model: Mapped[str] = mapped_column(String(100), default="")
    sections: Mapped[str] = mapped_column(Text)  # JSON {"相談者の状況": …}: the AI output as generated
    edited_sections: Mapped[str | None] = mapped_column(Text, nullable=True)  # staff edits
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | confirmed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RiskReport(Base):
    """A staff member's report that an AI output was wrong, biased or harmful; supervisors close it."""

    __tablename__ = "masking_risk_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(32))  # summary | masked_transcript | …
    target_id: Mapped[int] = mapped_column(Integer)
    consultation_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # wrong | biased | harmful
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)  # open | closed
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    close_note: Mapped[str | None] = mapped_column(Text, nullable=True)
