"""The first schema: accounts, katas with their topics, actions, notes, prompts, sessions, and the
full-text index (FTS5 kept by triggers on SQLite; a generated tsvector on PostgreSQL).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DIFFICULTIES = "('easy', 'medium', 'hard')"
TIMES = "('<10 mins', '<30 mins', '<1 hr', '>1 hr')"
ACTIONS = "('upvote', 'save', 'complete')"

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE kata_search USING fts5(title, description, topics, content='katas', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER katas_search_insert AFTER INSERT ON katas BEGIN "
    "INSERT INTO kata_search(rowid, title, description, topics) "
    "VALUES (new.id, new.title, new.description, new.topics); END",
    "CREATE TRIGGER katas_search_delete AFTER DELETE ON katas BEGIN "
    "INSERT INTO kata_search(kata_search, rowid, title, description, topics) "
    "VALUES ('delete', old.id, old.title, old.description, old.topics); END",
    "CREATE TRIGGER katas_search_update AFTER UPDATE OF title, description, topics ON katas BEGIN "
    "INSERT INTO kata_search(kata_search, rowid, title, description, topics) "
    "VALUES ('delete', old.id, old.title, old.description, old.topics); "
    "INSERT INTO kata_search(rowid, title, description, topics) "
    "VALUES (new.id, new.title, new.description, new.topics); END",
]
POSTGRES_SEARCH = [
    "ALTER TABLE katas ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(topics, '')), 'B') || "
    "to_tsvector('simple', coalesce(description, ''))) STORED",
    "CREATE INDEX ix_katas_search ON katas USING gin (search)",
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("username_key", sa.String(40), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("username_key", name="uq_users_username_key"),
    )
    op.create_table(
        "katas",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("difficulty", sa.String(10), nullable=False),
        sa.Column("time", sa.String(10), nullable=False),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("judged", sa.Boolean, nullable=False),
        sa.Column("pack", sa.String(80)),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE",
                                                          name="fk_katas_author_id_users")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("upvotes", sa.Integer, nullable=False),
        sa.Column("saves", sa.Integer, nullable=False),
        sa.Column("solves", sa.Integer, nullable=False),
        sa.Column("rendered_html", sa.Text),
        sa.Column("rendered_key", sa.String(64)),
        sa.UniqueConstraint("slug", name="uq_katas_slug"),
        sa.CheckConstraint(f"difficulty IN {DIFFICULTIES}", name="ck_katas_difficulty"),
        sa.CheckConstraint(f"time IN {TIMES}", name="ck_katas_time"),
    )
    op.create_index("ix_katas_author_id", "katas", ["author_id"])
    op.create_index("ix_katas_created", "katas", ["created_at", "id"])
    op.create_index("ix_katas_upvotes", "katas", ["upvotes", "created_at", "id"])
    op.create_index("ix_katas_saves", "katas", ["saves", "created_at", "id"])
    op.create_table(
        "kata_topics",
        sa.Column("kata_id", sa.Integer, sa.ForeignKey("katas.id", ondelete="CASCADE",
                                                        name="fk_kata_topics_kata_id_katas"), primary_key=True),
        sa.Column("topic", sa.String(40), primary_key=True),
    )
    op.create_index("ix_kata_topics_topic", "kata_topics", ["topic"])
    op.create_table(
        "actions",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE",
                                                        name="fk_actions_user_id_users"), primary_key=True),
        sa.Column("kata_id", sa.Integer, sa.ForeignKey("katas.id", ondelete="CASCADE",
                                                        name="fk_actions_kata_id_katas"), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.CheckConstraint(f"kind IN {ACTIONS}", name="ck_actions_kind"),
    )
    op.create_index("ix_actions_kata_id", "actions", ["kata_id"])
    op.create_index("ix_actions_user_kind_time", "actions", ["user_id", "kind", "created_at"])
    op.create_table(
        "notes",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE",
                                                        name="fk_notes_user_id_users"), primary_key=True),
        sa.Column("kata_id", sa.Integer, sa.ForeignKey("katas.id", ondelete="CASCADE",
                                                        name="fk_notes_kata_id_katas"), primary_key=True),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("length(text) <= 200", name="ck_notes_length"),
    )
    op.create_table(
        "prompts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE",
                                                        name="fk_prompts_user_id_users"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("forked_from_id", sa.Integer, sa.ForeignKey("prompts.id", ondelete="SET NULL",
                                                               name="fk_prompts_forked_from_id_prompts")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_prompts_user_name"),
    )
    op.create_index("ix_prompts_user_id", "prompts", ["user_id"])
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE",
                                                        name="fk_sessions_user_id_users"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_SEARCH if dialect == "sqlite" else POSTGRES_SEARCH if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("katas_search_insert", "katas_search_delete", "katas_search_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS kata_search")
    for table in ("sessions", "prompts", "notes", "actions", "kata_topics", "katas", "users"):
        op.drop_table(table)
