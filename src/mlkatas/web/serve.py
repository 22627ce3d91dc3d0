"""Running the site: `mlkatas serve` (or `python -m mlkatas.web`) with uvicorn.

The database is created and migrated, and the built-in katas loaded, once in this process before
any worker starts (workers starting together would otherwise race to migrate a new file)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from mlkatas.catalog import Catalog
from mlkatas.store.db import DB_ENV, Database, database_url
from mlkatas.store.seed import sync_catalog


def prepare(db_url: str | None) -> str:
    """Create and migrate the database, load the built-in katas; returns the URL used."""
    db = Database(db_url)
    try:
        db.migrate()
        with db.session() as session:
            sync_catalog(session, Catalog.load())
    finally:
        db.close()
    return db.url


def app() -> FastAPI:
    """The application each worker builds (the database from $MLKATAS_DB)."""
    from mlkatas.web.app import create_app

    return create_app()


def run(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, db: str | None = None) -> None:
    import uvicorn

    os.environ[DB_ENV] = prepare(database_url(db))
    uvicorn.run("mlkatas.web.serve:app", factory=True, host=host, port=port, workers=workers,
                log_level="info", proxy_headers=False)
