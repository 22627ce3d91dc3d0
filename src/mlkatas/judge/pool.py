"""Zygote processes and the pool that lends them to grading threads."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field

from mlkatas.judge import wire

STARTUP_TIMEOUT_S = 120.0


class ZygoteDied(RuntimeError):
    """The zygote stopped answering; the pool replaces it."""


@dataclass
class ChildRun:
    """The raw outcome of one child: its frames, how it ended, and whether the judge killed it."""

    frames: list[tuple[dict, list[bytes]]] = field(default_factory=list)
    exit_code: int | None = None  # negative: killed by that signal
    timed_out: bool = False
    wire_error: str | None = None
    maxrss_kb: int = 0
    cpu_s: float = 0.0


class Zygote:
    def __init__(self, mode: str = "local"):
        self.mode = mode
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._stderr = tempfile.TemporaryFile()
        env = dict(os.environ)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlkatas.judge.zygote", str(child_end.fileno()), mode],
            pass_fds=[child_end.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            start_new_session=True,  # Ctrl-C in a terminal reaches the judge, not the zygote
            env=env,
        )
        child_end.close()
        self.ctrl = parent_end
        self.jobs = 0
        ready = self._recv(STARTUP_TIMEOUT_S)
        if not ready.get("ready"):
            raise ZygoteDied(f"the zygote did not start: {self._stderr_tail()}")

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read()[-2000:].decode("utf-8", "replace").strip() or "no output"
        except OSError:
            return "no output"

    def _recv(self, timeout: float | None = None) -> dict:
        self.ctrl.settimeout(timeout)
        try:
            msg = self.ctrl.recv(65536)
        except (OSError, socket.timeout) as exc:
            raise ZygoteDied(f"the zygote stopped answering ({exc}); {self._stderr_tail()}") from None
        if not msg:
            raise ZygoteDied(f"the zygote exited; {self._stderr_tail()}")
        return json.loads(msg)

    def _request(self, payload: dict, fds: list[int] = (), timeout: float = 30.0) -> dict:
        try:
            socket.send_fds(self.ctrl, [json.dumps(payload).encode()], list(fds))
        except OSError as exc:
            raise ZygoteDied(f"the zygote is gone ({exc})") from None
        return self._recv(timeout)

    def run(self, header: dict, blobs: list[bytes], limits: dict, max_bytes: int) -> ChildRun:
        """Fork a child, send it the job, collect its frames until "done", a timeout or a crash."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            pid = self._request({"op": "spawn", "limits": limits}, [theirs.fileno()])["pid"]
        finally:
            theirs.close()
        self.jobs += 1
        run = ChildRun()
        timer = threading.Timer(float(limits["wall_s"]), self._timeout, (pid, run))
        timer.daemon = True
        timer.start()
        try:
            wire.send_frame(mine, header, blobs)
            budget = max_bytes
            while True:
                frame_header, frame_blobs = wire.recv_frame(mine, budget)
                budget -= sum(len(b) for b in frame_blobs)
                run.frames.append((frame_header, frame_blobs))
                if frame_header.get("event") == "done":
                    break
        except (EOFError, OSError):
            pass  # the child died or was killed: its exit status tells why
        except wire.WireError as exc:
            run.wire_error = str(exc)
        finally:
            timer.cancel()
            mine.close()
            kill_group(pid)  # nothing the child started outlives the job
        reply = self._request({"op": "wait", "pid": pid}, timeout=30.0)
        run.exit_code, run.maxrss_kb, run.cpu_s = reply["exit"], reply.get("maxrss_kb", 0), reply.get("cpu_s", 0.0)
        return run

    @staticmethod
    def _timeout(pid: int, run: ChildRun) -> None:
        run.timed_out = True
        kill_group(pid)

    def close(self) -> None:
        try:
            self.ctrl.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self._stderr.close()


def kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue


class ZygotePool:
    """N zygotes shared by grading threads; a dead or worn-out zygote is replaced."""

    def __init__(self, size: int, mode: str, recycle_after: int = 200):
        self.mode = mode
        self.size = size
        self.recycle_after = recycle_after
        self._idle: queue.Queue[Zygote] = queue.Queue()
        self._all: list[Zygote] = []
        self._lock = threading.Lock()
        self._closed = False
        starters = [threading.Thread(target=self._add) for _ in range(size)]
        for t in starters:
            t.start()
        for t in starters:
            t.join()
        if len(self._all) < size:
            self.close()
            raise ZygoteDied("the judge could not start its worker processes")

    def _add(self) -> None:
        try:
            zygote = Zygote(self.mode)
        except ZygoteDied:
            return
        with self._lock:
            self._all.append(zygote)
        self._idle.put(zygote)

    def acquire(self, timeout: float | None = None) -> Zygote:
        if self._closed:
            raise RuntimeError("the judge is closed")
        return self._idle.get(timeout=timeout)

    def release(self, zygote: Zygote, broken: bool = False) -> None:
        if broken or zygote.jobs >= self.recycle_after or zygote.proc.poll() is not None:
            with self._lock:
                if zygote in self._all:
                    self._all.remove(zygote)
            zygote.close()
            if not self._closed:
                self._add()
            return
        self._idle.put(zygote)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            zygotes, self._all = self._all, []
        for z in zygotes:
            z.close()

