"""A grader for tests: served on a thread of the test process, with the test run's warm judge."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlkatas.queue.grader import Grader, run_in_thread
from mlkatas.store.db import Database


@contextmanager
def running_grader(db_url: str, judge, threads: int = 2) -> Iterator[Grader]:
    """A grader on `db_url` (migrated already) listening on a fresh socket (a short path: unix
    socket paths have a ~100-byte limit that pytest's tmp_path can pass)."""
    folder = Path(tempfile.mkdtemp(prefix="mlk-"))
    db = Database(db_url)
    grader = Grader(db, judge, folder / "grader.sock", threads=threads)
    thread = run_in_thread(grader)
    try:
        yield grader
    finally:
        grader.stop()
        thread.join(10)
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
