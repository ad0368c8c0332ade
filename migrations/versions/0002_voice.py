"""voice: calls, turns, handoffs

Revision ID: 0002_voice
Revises: 0001_core
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_voice"
down_revision = "0001_core"
branch_labels = ("voice",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voice_calls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("asr_path", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("context_enc", sa.LargeBinary(), nullable=False),
        sa.Column("caller_enc", sa.LargeBinary(), nullable=True),
        sa.Column("raw_deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recording_sid", sa.String(64), nullable=True),
        sa.UniqueConstraint("call_sid", name="uq_voice_calls_call_sid"),
    )
    op.create_index("ix_voice_calls_started_at", "voice_calls", ["started_at"])
    op.create_index("ix_voice_calls_outcome", "voice_calls", ["outcome"])
    op.create_table(
        "voice_turns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("voice_calls.id", ondelete="CASCADE",
                                                         name="fk_voice_turns_call_id_voice_calls"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text_enc", sa.LargeBinary(), nullable=True),
        sa.Column("text_masked", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("faq_id", sa.String(32), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("decision", sa.String(32), nullable=True),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("state_after", sa.String(32), nullable=False),
        sa.Column("actions_enc", sa.LargeBinary(), nullable=False),
        sa.Column("handle_ms", sa.Float(), nullable=True),
        sa.UniqueConstraint("call_id", "seq", name="uq_voice_turns_call_seq"),
    )
    op.create_index("ix_voice_turns_call_id", "voice_turns", ["call_id"])
    op.create_table(
        "voice_handoffs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("voice_calls.id", ondelete="CASCADE",
                                                         name="fk_voice_handoffs_call_id_voice_calls"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question_enc", sa.LargeBinary(), nullable=True),
        sa.Column("question_masked", sa.Text(), nullable=True),
        sa.Column("transcript_enc", sa.LargeBinary(), nullable=True),
        sa.Column("transcript_masked", sa.Text(), nullable=True),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("callback_number_enc", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_voice_handoffs_call_id", "voice_handoffs", ["call_id"])
    op.create_index("ix_voice_handoffs_created_at", "voice_handoffs", ["created_at"])
    op.create_index("ix_voice_handoffs_status", "voice_handoffs", ["status"])


def downgrade() -> None:
    op.drop_table("voice_handoffs")
    op.drop_table("voice_turns")
    op.drop_table("voice_calls")
