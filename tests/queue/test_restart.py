"""A server killed with submissions queued grades them when it starts again: none lost, none
graded twice (`mlkatas serve` as a user runs it, killed with SIGKILL, process group and all)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from sqlalchemy import select

from mlkatas.store.db import Database
from mlkatas.store.models import Submission
from tests._practice import base_env
from tests.web.test_serve import free_port

# Each grade takes a second at load: some are being graded, some still queued, when the kill comes.
SLOW_RIGHT = '''import time
time.sleep(1.0)
from einops import rearrange

def split_heads(x, num_heads):
    return rearrange(x, "b s (h d) -> b h s d", h=num_heads)
'''


def start(folder, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mlkatas", "serve", "--port", str(port), "--sandbox", "local"],
                            cwd=folder, env=base_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def post(port: int, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def wait_until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout_s:g} s"
        time.sleep(0.2)


def answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/katas?q=split", timeout=2)
        return True
    except OSError:
        return False


def rows(db: Database) -> dict[str, Submission]:
    with db.session() as s:
        found = {r.id: r for r in s.scalars(select(Submission))}
        for r in found.values():
            s.expunge(r)
        return found


def test_a_killed_server_grades_what_was_queued_once_it_is_back(tmp_path):
    port = free_port()
    server = start(tmp_path, port)
    db = Database(str(tmp_path / "mlkatas.db"))
    try:
        wait_until(lambda: answers(port), 120, "the server answered")
        # cookie-less requests: each one a new anonymous visitor, so one-at-a-time does not refuse them
        ids = [post(port, "/api/katas/split-heads/submissions", {"source": SLOW_RIGHT})["id"] for _ in range(8)]
        wait_until(lambda: any(r.state == "done" for r in rows(db).values()), 60, "a first submission was graded")
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
        before = rows(db)
        assert sorted(before) == sorted(ids)
        assert {r.state for r in before.values()} > {"done"}, "the kill came after everything was graded"
        graded_before = {i: r.graded_at for i, r in before.items() if r.state == "done"}

        server = start(tmp_path, port)
        wait_until(lambda: all(r.state == "done" for r in rows(db).values()), 120, "every submission was graded")
        after = rows(db)
        for i, row in after.items():
            assert row.status == "passed" and json.loads(row.verdict)["status"] == "passed"
            if i in graded_before:  # done before the kill: never graded again
                assert row.graded_at == graded_before[i] and row.attempts == 1
            else:  # one claim per start at most: queued ones once, the one cut short twice
                assert row.attempts == (2 if before[i].state == "grading" else 1)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)
        db.close()
