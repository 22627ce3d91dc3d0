"""Running the site: `mlkatas serve` (or `python -m mlkatas.web`) with uvicorn.

The database is created and migrated, and the built-in katas loaded, once in this process before
any worker starts (workers starting together would otherwise race to migrate a new file)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI

from mlkatas.catalog import Catalog
from mlkatas.queue.supervisor import GraderProcess
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

    return create_app(freeze_heap=True)


try:  # httptools parses HTTP in C; h11 (pure Python) where it is not installed
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Http
except ImportError:
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Http


class NoDelayHttp(_Http):
    """uvicorn's HTTP protocol with Nagle's algorithm off on every connection. asyncio turns it off
    only on sockets it creates; with --workers the listening socket comes from uvicorn, and a
    response's headers and body (two writes) then waited ~40 ms for the client's delayed ACK."""

    def connection_made(self, transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def run(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, db: str | None = None,
        sandbox: str = "strict") -> None:
    import uvicorn

    if sandbox == "strict":
        require_strict_sandbox()
    os.environ[DB_ENV] = prepare(database_url(db))
    with started_grader(os.environ[DB_ENV], sandbox):
        uvicorn.run("mlkatas.web.serve:app", factory=True, host=host, port=port, workers=workers,
                    log_level="info", access_log=False, proxy_headers=False, http=NoDelayHttp)


def require_strict_sandbox() -> None:
    """Refuse to serve, with what is missing and what to do, where the strict sandbox cannot run:
    learners' code is never graded unprotected unless the person serving asked for it."""
    from mlkatas.judge.sandbox.modes import SandboxUnavailable, plan_for

    try:
        plan_for("strict")
    except SandboxUnavailable as exc:
        missing = "; ".join(f"{layer}: {why}" for layer, why in sorted(exc.missing.items())) or str(exc)
        raise SystemExit(
            f"mlkatas serve: the strict sandbox cannot run on this machine (missing {missing}).\n"
            "Learners' code is not graded without it unless you ask: run as root on Linux, where "
            "scripts/install-system-deps.sh installs what it needs, or serve with --sandbox local to grade "
            "without it (every kata page then says so)."
        ) from None


@contextmanager
def started_grader(db_url: str, sandbox: str, timeout_s: float = 120.0) -> Iterator[GraderProcess]:
    """The machine's one grader (queue.grader), started and warm before any web worker, its
    socket in the environment the workers inherit; restarted if it dies while the server runs
    (queue.supervisor), stopped when the server stops."""
    from mlkatas.queue import SANDBOX_ENV, SOCKET_ENV

    folder = tempfile.mkdtemp(prefix="mlkatas-grader-")
    grader = GraderProcess(db_url, os.path.join(folder, "grader.sock"), sandbox, timeout_s)
    try:
        grader.start()
        os.environ[SOCKET_ENV], os.environ[SANDBOX_ENV] = grader.socket_path, sandbox
        yield grader
    finally:
        grader.stop()
        shutil.rmtree(folder, ignore_errors=True)
