"""`mlkatas serve` as a user starts it: a fresh folder, a free port, the site answering."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from tests._practice import base_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_creates_the_database_and_answers(tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mlkatas", "serve", "--port", str(port)], cwd=tmp_path,
                              env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, page = time.monotonic() + 60, None
        while time.monotonic() < deadline and page is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
            except OSError:
                time.sleep(0.2)
        assert page is not None, "the site did not answer within 60 s"
        assert "split-heads" in page and (tmp_path / "mlkatas.db").exists()
    finally:
        server.terminate()
        server.wait(10)


def test_serve_says_what_is_missing_where_the_strict_sandbox_cannot_run(tmp_path):
    env = {**base_env(), "MLKATAS_SIMULATE_MISSING": "seccomp"}
    done = subprocess.run([sys.executable, "-m", "mlkatas", "serve", "--port", str(free_port())], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "the strict sandbox cannot run on this machine (missing seccomp" in done.stderr
    assert "--sandbox local" in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "mlkatas.db").exists()  # refused before anything was created
