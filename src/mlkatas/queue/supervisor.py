"""The grader process of `mlkatas serve`, kept alive while the server runs.

A grader that dies (killed, out of memory, a bug) is started again on the same socket; web
processes that could not reach it meanwhile left their submissions queued, and the new grader
grades them (its start-up scan). A grader that keeps dying right after starting is restarted
less and less often, so that a broken setup does not spin.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time

log = logging.getLogger("mlkatas.grader")
STEADY_S = 60.0  # a grader that lived this long died of something new: restart at once
MAX_BACKOFF_S = 30.0


class GraderProcess:
    """`python -m mlkatas.queue.grader` on `socket_path`; `start()` returns once it answers,
    `stop()` ends it for good. Between the two, a watcher thread restarts it when it exits."""

    def __init__(self, db_url: str, socket_path: str, sandbox: str, ready_timeout_s: float = 120.0):
        self.argv = [sys.executable, "-m", "mlkatas.queue.grader", "--db", db_url, "--socket", socket_path,
                     "--sandbox", sandbox]
        self.socket_path = socket_path
        self.ready_timeout_s = ready_timeout_s
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self.started_at = 0.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # a restart and a stop never cross
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        """Start the grader and wait until it listens; SystemExit when it cannot."""
        self._launch()
        self._wait_ready()
        self._watcher = threading.Thread(target=self._watch, name="mlkatas-grader-watch", daemon=True)
        self._watcher.start()

    def _launch(self) -> None:
        self.proc = subprocess.Popen(self.argv)
        self.started_at = time.monotonic()

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + self.ready_timeout_s
        while not answers(self.socket_path):
            if self.proc.poll() is not None:
                raise SystemExit(f"the grader stopped before it was ready (exit status {self.proc.returncode}); "
                                 f"its messages are above")
            if time.monotonic() > deadline:
                raise SystemExit(f"the grader was not ready within {self.ready_timeout_s:g} s")
            time.sleep(0.1)

    def _watch(self) -> None:
        backoff = 0.0
        while not self._stopping.is_set():
            assert self.proc is not None
            status = self.proc.wait()
            if self._stopping.is_set():
                return
            lived = time.monotonic() - self.started_at
            backoff = 0.0 if lived >= STEADY_S else min(MAX_BACKOFF_S, max(1.0, backoff * 2))
            log.warning("the grader exited with status %s after %.0f s: starting it again%s", status, lived,
                        f" in {backoff:g} s" if backoff else "")
            if self._stopping.wait(backoff):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.restarts += 1
                self._launch()

    def stop(self, timeout_s: float = 10.0) -> None:
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if self._watcher is not None:
            self._watcher.join(timeout_s)


def answers(path: str) -> bool:
    """Something listens on the unix socket at `path`."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(path)
        except OSError:
            return False
    return True
