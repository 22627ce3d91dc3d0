"""The site's data, as SQLAlchemy models: accounts, katas, what people do with them.

The same models serve SQLite (the default: one file, WAL) and PostgreSQL. Counts of upvotes,
saves and solves live on the kata row and change in the same transaction as the action, so the
catalogue sorts and shows them without counting on every request. Full-text search is a
separate index kept by the database itself (migrations: an FTS5 table with triggers on SQLite, a
generated tsvector column on PostgreSQL), behind one query function (store.search).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mlkatas.catalog.kata import DIFFICULTIES, TIMES  # the kata format's vocabulary, one copy

# Names for constraints and indexes, so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ACTIONS = ("upvote", "save", "complete")
NOTE_MAX = 200
TITLE_MAX = 200
USERNAME_MAX = 40


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # stored naive, always UTC


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """An account: a username (unique regardless of case) and an argon2 password hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX))
    username_key: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)  # lower case: no look-alike twins
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Kata(Base):
    """A kata on the site: a judged one from a pack (its files stay in the pack) or a community
    one (prose only). `description` is Markdown; the rendered HTML is cached per version."""

    __tablename__ = "katas"
    __table_args__ = (
        CheckConstraint(f"difficulty IN {DIFFICULTIES}", name="difficulty"),
        CheckConstraint(f"time IN {TIMES}", name="time"),
        Index("ix_katas_created", "created_at", "id"),
        Index("ix_katas_upvotes", "upvotes", "created_at", "id"),
        Index("ix_katas_saves", "saves", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    difficulty: Mapped[str] = mapped_column(String(10))
    time: Mapped[str] = mapped_column(String(10))
    topics: Mapped[str] = mapped_column(Text, default="")  # space-free topics joined by "\n" (the search reads them)
    judged: Mapped[bool] = mapped_column(Boolean, default=False)
    pack: Mapped[str | None] = mapped_column(String(80))  # the pack a judged kata comes from
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    upvotes: Mapped[int] = mapped_column(Integer, default=0)
    saves: Mapped[int] = mapped_column(Integer, default=0)
    solves: Mapped[int] = mapped_column(Integer, default=0)
    rendered_html: Mapped[str | None] = mapped_column(Text)  # the description rendered once per version
    rendered_key: Mapped[str | None] = mapped_column(String(64))  # what it was rendered from

    author: Mapped[User | None] = relationship()
    topic_rows: Mapped[list[KataTopic]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def topic_list(self) -> list[str]:
        return [t for t in self.topics.split("\n") if t]


class KataTopic(Base):
    """One topic of a kata, for the topic filter (an index, where a list in a column has none)."""

    __tablename__ = "kata_topics"

    kata_id: Mapped[int] = mapped_column(ForeignKey("katas.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Action(Base):
    """A person's upvote, save or completion of a kata (at most one of each)."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACTIONS}", name="kind"),
        Index("ix_actions_user_kind_time", "user_id", "kind", "created_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kata_id: Mapped[int] = mapped_column(ForeignKey("katas.id", ondelete="CASCADE"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Note(Base):
    """A person's private note on a kata."""

    __tablename__ = "notes"
    __table_args__ = (CheckConstraint(f"length(text) <= {NOTE_MAX}", name="length"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kata_id: Mapped[int] = mapped_column(ForeignKey("katas.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(String(NOTE_MAX))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Prompt(Base):
    """A prompt template of the prompt builder (placeholders filled in when compiled)."""

    __tablename__ = "prompts"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_prompts_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    template: Mapped[str] = mapped_column(Text)
    forked_from_id: Mapped[int | None] = mapped_column(ForeignKey("prompts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Session(Base):
    """A signed-in browser or API client: only a hash of its secret is stored."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


SUBMISSION_STATES = ("queued", "grading", "done")
SUBMISSION_MODES = ("run", "submit")


class Submission(Base):
    """A learner's code sent to the judge: stored `queued` before anything grades it, claimed
    (`grading`) by one grader, then `done` with the verdict. `owner` is who may read it: "u:ID" for
    an account, "v:KEY" for an anonymous visitor's cookie. `attempts` counts claims (a grader that
    died mid-grade leaves one behind); `graded_at` is written once, with the verdict."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(f"state IN {SUBMISSION_STATES}", name="state"),
        CheckConstraint(f"mode IN {SUBMISSION_MODES}", name="mode"),
        Index("ix_submissions_owner_time", "owner", "created_at"),
        Index("ix_submissions_address_time", "address", "created_at"),
        Index("ix_submissions_state_time", "state", "created_at"),
        Index("ix_submissions_owner_kata", "owner", "kata_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(64), default="")  # an anonymous visitor's rate limit
    kata_id: Mapped[int] = mapped_column(ForeignKey("katas.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    graded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str | None] = mapped_column(String(10))  # the verdict's status, for history and progress
    summary: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(Text)  # Verdict.to_dict() as JSON
    verdict_html: Mapped[str | None] = mapped_column(Text)  # the panel with its grids, drawn by the grader
    elapsed_ms: Mapped[float | None] = mapped_column(Float)

    kata: Mapped[Kata] = relationship()


class KataProgress(Base):
    """What a learner has asked for on a kata: hints revealed, and when they gave up."""

    __tablename__ = "kata_progress"

    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    kata_id: Mapped[int] = mapped_column(ForeignKey("katas.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    hints: Mapped[int] = mapped_column(Integer, default=0)
    gave_up_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Draft(Base):
    """A signed-in learner's unsaved code on a kata, kept by the editor as they type."""

    __tablename__ = "drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kata_id: Mapped[int] = mapped_column(ForeignKey("katas.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
