"""The grader and its client: notices for what is done, queued rows nobody announced, and a
web process that carries on when no grader answers."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from mlkatas.engine.verdict import Verdict
from mlkatas.queue.client import GraderClient, GraderUnavailable, Notice
from mlkatas.store import submissions
from mlkatas.store.db import Database
from mlkatas.store.models import Kata, Submission
from mlkatas.store.seed import sync_catalog
from mlkatas.store.submissions import Owner
from tests.queue._harness import running_grader


def run_async(coroutine):
    """asyncio.run in a thread of its own: a browser test earlier in the session (pytest-playwright)
    can leave an event loop set on the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def db_url(tmp_path, catalog) -> str:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    db = Database(url)
    db.migrate()
    with db.session() as s:
        sync_catalog(s, catalog)
    db.close()
    return url


def queued(db_url: str, source: str, visitor: str = "v" * 20, mode: str = "submit") -> str:
    db = Database(db_url)
    with db.session() as s:
        kata = s.query(Kata).filter_by(slug="split-heads").one()
        sid = submissions.create(s, Owner.visitor(visitor), kata, mode, source)
    db.close()
    return sid


def row(db_url: str, sid: str) -> Submission:
    db = Database(db_url)
    with db.session() as s:
        found = s.get(Submission, sid)
    db.close()
    assert found is not None
    return found


def test_the_notice_comes_once_done_and_at_once_for_what_is_done_already(db_url, judge, catalog):
    sid = queued(db_url, catalog.get("split-heads").solution)
    with running_grader(db_url, judge) as grader:
        client = GraderClient(grader.socket_path)
        assert run_async(client.wait_done(sid, 30)) is True
        done = row(db_url, sid)
        assert (done.state, done.status, done.attempts) == ("done", "passed", 1)
        stored = json.loads(done.verdict)
        assert Verdict.from_dict(stored).to_dict() == stored and Verdict.from_dict(stored).passed
        # done already: answered from the row (no second "done" notice will ever come for it)
        assert run_async(client.wait_notice(sid, 5)) == Notice(True, None)  # not graded here: read the row
        assert row(db_url, sid).graded_at == done.graded_at and row(db_url, sid).attempts == 1


def test_a_wait_shorter_than_the_grading_times_out_and_the_grading_goes_on(db_url, judge):
    sid = queued(db_url, "import time\ntime.sleep(1.5)\n")
    with running_grader(db_url, judge) as grader:
        client = GraderClient(grader.socket_path)
        assert run_async(client.wait_done(sid, 0.2)) is False
        assert run_async(client.wait_done(sid, 30)) is True
        assert row(db_url, sid).state == "done"


def test_a_queued_submission_nobody_announced_is_graded_by_the_scan(db_url, judge, catalog):
    sid = queued(db_url, catalog.get("split-heads").starter, mode="run")
    with running_grader(db_url, judge):
        deadline = time.monotonic() + 20
        while row(db_url, sid).state != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
    graded = row(db_url, sid)
    assert graded.state == "done" and graded.status == "error" and "NotImplementedError" in graded.verdict
    assert '"name": "example"' in graded.verdict and '"hidden 1"' not in graded.verdict  # a run: the example only


def test_without_a_grader_the_client_says_so(tmp_path):
    with pytest.raises(GraderUnavailable, match="not answering"):
        run_async(GraderClient(str(tmp_path / "nobody.sock")).wait_done("x", 1))
    with pytest.raises(GraderUnavailable, match="without a grader"):
        run_async(GraderClient(None).wait_done("x", 1))


def test_a_grader_ignores_lines_it_does_not_know(db_url, judge):
    async def talk(path: str) -> bytes:
        reader, writer = await asyncio.open_unix_connection(path)
        writer.write(b"drop table submissions\n")
        line = await reader.readline()
        writer.close()
        return line

    with running_grader(db_url, judge) as grader:
        assert run_async(talk(grader.socket_path)) == b"error unknown command\n"


def test_the_notice_of_a_fresh_verdict_carries_it_as_stored(db_url, judge, catalog):
    sid = queued(db_url, catalog.get("split-heads").starter)  # a failure: a verdict with messages in it
    with running_grader(db_url, judge) as grader:
        notice = run_async(GraderClient(grader.socket_path).wait_notice(sid, 30))
    assert notice.done and notice.verdict == row(db_url, sid).verdict
    assert json.loads(notice.verdict)["status"] == "error"
