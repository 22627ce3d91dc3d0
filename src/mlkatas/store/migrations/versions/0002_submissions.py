"""Practising in the browser: submissions (queued, grading, done, with the verdict), hints
revealed and give-ups per learner and kata, and signed-in learners' drafts.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{target}.id", ondelete="CASCADE", name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, _fk("submissions", "user_id", "users")),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("kata_id", sa.Integer, _fk("submissions", "kata_id", "katas"), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("graded_at", sa.DateTime),
        sa.Column("status", sa.String(10)),
        sa.Column("summary", sa.Text),
        sa.Column("verdict", sa.Text),
        sa.Column("verdict_html", sa.Text),
        sa.Column("elapsed_ms", sa.Float),
        sa.CheckConstraint("state IN ('queued', 'grading', 'done')", name="ck_submissions_state"),
        sa.CheckConstraint("mode IN ('run', 'submit')", name="ck_submissions_mode"),
    )
    op.create_index("ix_submissions_user_id", "submissions", ["user_id"])
    op.create_index("ix_submissions_owner_time", "submissions", ["owner", "created_at"])
    op.create_index("ix_submissions_address_time", "submissions", ["address", "created_at"])
    op.create_index("ix_submissions_state_time", "submissions", ["state", "created_at"])
    op.create_index("ix_submissions_owner_kata", "submissions", ["owner", "kata_id", "created_at"])
    op.create_table(
        "kata_progress",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("kata_id", sa.Integer, _fk("kata_progress", "kata_id", "katas"), primary_key=True),
        sa.Column("user_id", sa.Integer, _fk("kata_progress", "user_id", "users")),
        sa.Column("hints", sa.Integer, nullable=False),
        sa.Column("gave_up_at", sa.DateTime),
    )
    op.create_index("ix_kata_progress_user_id", "kata_progress", ["user_id"])
    op.create_table(
        "drafts",
        sa.Column("user_id", sa.Integer, _fk("drafts", "user_id", "users"), primary_key=True),
        sa.Column("kata_id", sa.Integer, _fk("drafts", "kata_id", "katas"), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("drafts", "kata_progress", "submissions"):
        op.drop_table(table)
