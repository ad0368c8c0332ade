"""routing: chat analytics (daily counts, top-1 windows per day, unclear questions as masked text)

Revision ID: 0005_routing
Revises: 0001_core
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_routing"
down_revision = "0001_core"
branch_labels = ("routing",)
depends_on = None


def _counter(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))


def upgrade() -> None:
    op.create_table(
        "routing_daily_counts",
        sa.Column("day", sa.Date(), nullable=False),
        *[_counter(name) for name in ("conversations", "messages", "crisis", "clarifying", "out_of_scope",
                                      "helpful", "not_helpful")],
        sa.PrimaryKeyConstraint("day", name="pk_routing_daily_counts"),
    )
    op.create_table(
        "routing_daily_windows",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_id", sa.String(64), nullable=False),
        _counter("recommended"),
        sa.PrimaryKeyConstraint("day", "window_id", name="pk_routing_daily_windows"),
    )
    op.create_table(
        "routing_unclear_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("text_masked", sa.Text(), nullable=False),
    )
    op.create_index("ix_routing_unclear_questions_day", "routing_unclear_questions", ["day"])


def downgrade() -> None:
    op.drop_index("ix_routing_unclear_questions_day", table_name="routing_unclear_questions")
    op.drop_table("routing_unclear_questions")
    op.drop_table("routing_daily_windows")
    op.drop_table("routing_daily_counts")
