"""masking: consultations, masked transcript versions, review decisions, summaries, risk reports

Revision ID: 0003_masking
Revises: 0001_core
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_masking"
down_revision = "0001_core"
branch_labels = ("masking",)
depends_on = None

T = "masking_consultations"


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    # PostgreSQL cuts identifiers at 63 characters: the convention's fk_<table>_<column>_<target> is too long.
    return sa.ForeignKey(f"{target}.id", ondelete="CASCADE", name=f"fk_{table}_{column}")


def upgrade() -> None:
    op.create_table(
        T,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("notice", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audio_file", sa.String(255), nullable=True),
        sa.Column("audio_format", sa.String(16), nullable=True),
        sa.Column("audio_bytes", sa.Integer(), nullable=True),
        sa.Column("raw_transcript_enc", sa.LargeBinary(), nullable=True),
        sa.Column("raw_chars", sa.Integer(), nullable=True),
        sa.Column("raw_deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_masking_consultations_status", T, ["status"])
    op.create_index("ix_masking_consultations_created_at", T, ["created_at"])
    op.create_table(
        "masking_transcripts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consultation_id", sa.Integer(), _fk("masking_transcripts", "consultation_id", T), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("spans", sa.Text(), nullable=False),
        sa.Column("masked_text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("mapping_enc", sa.LargeBinary(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change_kind", sa.String(16), nullable=False),
        sa.Column("change_label", sa.String(32), nullable=True),
        sa.Column("change_reason", sa.Text(), nullable=True),
        sa.UniqueConstraint("consultation_id", "number", name="uq_masking_transcripts_number"),
    )
    op.create_index("ix_masking_transcripts_consultation_id", "masking_transcripts", ["consultation_id"])
    op.create_table(
        "masking_review_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consultation_id", sa.Integer(), _fk("masking_review_decisions", "consultation_id", T),
                  nullable=False),
        sa.Column("transcript_id", sa.Integer(),
                  _fk("masking_review_decisions", "transcript_id", "masking_transcripts"), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("reviewer_name", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_masking_review_decisions_consultation_id", "masking_review_decisions", ["consultation_id"])
    op.create_table(
        "masking_summaries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consultation_id", sa.Integer(), _fk("masking_summaries", "consultation_id", T), nullable=False),
        sa.Column("decision_id", sa.Integer(),
                  _fk("masking_summaries", "decision_id", "masking_review_decisions"), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("generator", sa.String(32), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("sections", sa.Text(), nullable=False),
        sa.Column("edited_sections", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_by", sa.String(64), nullable=True),
        sa.Column("confirmed_by", sa.String(64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("decision_id", name="uq_masking_summaries_decision_id"),
    )
    op.create_index("ix_masking_summaries_consultation_id", "masking_summaries", ["consultation_id"])
    op.create_table(
        "masking_risk_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("reported_by", sa.String(64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
    )
    op.create_index("ix_masking_risk_reports_consultation_id", "masking_risk_reports", ["consultation_id"])
    op.create_index("ix_masking_risk_reports_status", "masking_risk_reports", ["status"])


def downgrade() -> None:
    op.drop_table("masking_risk_reports")
    op.drop_table("masking_summaries")
    op.drop_table("masking_review_decisions")
    op.drop_table("masking_transcripts")
    op.drop_table(T)
