"""`mlkatas serve` starts its grader again when the grader dies while the server runs: a
submission made after the grader was killed still gets its verdict."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import time
import urllib.request
from pathlib import Path

from tests.queue.test_restart import answers, start, wait_until
from tests.web.test_serve import free_port

RIGHT = '''from einops import rearrange

def split_heads(x, num_heads):
    return rearrange(x, "b s (h d) -> b h s d", h=num_heads)
'''


def graders(server_pid: int) -> list[int]:
    """The grader processes `serve` started (its children running mlkatas.queue.grader)."""
    found = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"mlkatas.queue.grader" in argv:
                found.append(int(pid))
    return found


def test_a_grader_killed_while_serving_is_started_again_and_grades(tmp_path):
    port = free_port()
    server = start(tmp_path, port)
    try:
        wait_until(lambda: answers(port), 120, "the server answered")
        [first] = graders(server.pid)
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: graders(server.pid) not in ([], [first]), 30, "a new grader was started")
        [second] = graders(server.pid)
        assert second != first

        learner = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/katas/split-heads/submissions?wait=60",
                                         data=json.dumps({"source": RIGHT}).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
        with learner.open(request, timeout=70) as reply:
            answer = json.loads(reply.read())
        deadline = time.monotonic() + 120
        while answer["state"] != "done" and time.monotonic() < deadline:  # made while the new grader warmed up
            time.sleep(0.5)
            with learner.open(f"http://127.0.0.1:{port}/api/submissions/{answer['id']}?wait=10", timeout=20) as reply:
                answer = json.loads(reply.read())
        assert answer["state"] == "done" and answer["verdict"]["status"] == "passed"
        assert server.poll() is None, "the server kept serving"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)
