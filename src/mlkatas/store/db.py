"""Opening the database: an engine with the right settings per kind, sessions, and migrations
(Alembic, run from the package: no alembic.ini needed)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DB_ENV = "MLKATAS_DB"
DEFAULT_URL = "sqlite:///mlkatas.db"  # in the working folder
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(url: str | None = None) -> str:
    """The URL given, else $MLKATAS_DB, else a SQLite file in the working folder. A bare path
    is taken as a SQLite file; a plain postgresql:// URL means the psycopg 3 driver."""
    url = url or os.environ.get(DB_ENV) or DEFAULT_URL
    if url.startswith(("postgresql://", "postgres://")):  # psycopg 3, which the postgres extra installs
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url if "://" in url else f"sqlite:///{url}"


class Database:
    """One database: its engine and a session factory."""

    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        with self.sessions.begin() as session:
            yield session

    def migrate(self, revision: str = "head") -> None:
        command.upgrade(alembic_config(self), revision)

    def downgrade(self, revision: str = "base") -> None:
        command.downgrade(alembic_config(self), revision)

    def close(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_settings(connection, _record) -> None:
        cursor = connection.cursor()
        # WAL: readers never wait for the writer; NORMAL is durable at each checkpoint and safe in WAL
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite: ON DELETE CASCADE needs it
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_engine"] = db.engine
    return config
