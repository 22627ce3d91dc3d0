"""A zygote's side of the control socket, the same in both modes: it lends the judge one child
per job (protocol.control: Take, Wait, Release) and leaves nothing of a job behind.

The local zygote forks a child when asked; the strict init (worker.init) keeps children forked
and sandboxed ahead of time. Everything else is this loop.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from mlkatas.judge.protocol import control
from mlkatas.judge.sandbox import linux


@dataclass
class Child:
    """A child forked for one job, before and while the judge has it."""

    pid: int
    sock: socket.socket  # the judge's end of the job socket, until it is handed over
    pidfd: int | None  # None where the platform has none (then the pid is ours to signal)
    scratch: str | None = None

    def kill(self) -> None:
        if self.pidfd is not None:
            linux.pidfd_kill(self.pidfd)
        else:
            linux.kill_quietly(self.pid)


class ZygoteServer:
    """Serves the judge's requests until it closes the socket. Subclasses fork children
    (`fork_child`) and say how many to keep ready ahead of time (`depth`)."""

    depth = 0  # children forked ahead, waiting for a job
    overlap = False  # fork a spare child while one runs (only where the running one cannot reach it)

    def __init__(self, ctrl: socket.socket):
        self.ctrl = ctrl
        self.ready: list[Child] = []  # forked ahead, waiting for their jobs (oldest first)
        self.running: Child | None = None
        self.running_status: tuple | None = None  # (wait status, rusage) if reaped before the judge asked
        self.dying: set[int] = set()  # killed, not reaped yet

    def fork_child(self) -> Child:
        raise NotImplementedError

    def drop_scratch(self, child: Child) -> None:
        """Remove what the child had of the file system (strict: its scratch tmpfs)."""

    def send(self, message, fds: list[int] = ()) -> None:
        socket.send_fds(self.ctrl, [control.encode(message)], list(fds))

    def serve(self) -> None:
        try:
            self.top_up()
            while self._answer_one():
                self._reap()
        finally:  # the judge closed the socket (or we failed): leave nothing behind
            for child in [*self.ready, self.running]:
                if child is not None:
                    child.kill()

    def _answer_one(self) -> bool:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(self.ctrl, 65536, 4)
        except OSError:
            return False
        for fd in fds:
            os.close(fd)
        if not msg:
            return False  # the judge is gone
        request = control.decode_request(msg)
        if isinstance(request, control.Take):
            child = self.ready.pop(0) if self.ready else self.fork_child()
            self.running, self.running_status = child, None
            fds = [child.sock.fileno()] + ([child.pidfd] if child.pidfd is not None else [])
            self.send(control.Handover(child.pid), fds)
            child.sock.close()
            if self.overlap and not self.ready:  # jobs come faster than children: one now
                self.ready.append(self.fork_child())
            return True
        child = self.running
        if child is None or child.pid != request.pid:
            return False  # the judge and we disagree: stop, the judge replaces this zygote
        self.running = None
        if isinstance(request, control.Wait):  # it ended early: the judge needs its exit status
            if self.running_status is None:
                self.running_status = os.wait4(child.pid, 0)[1:]
            self._clean_up(child)
            self.send(control.exit_report(*self.running_status))
        else:  # it said "done": kill it and reap it later (tearing down its memory takes a while)
            child.kill()
            self._clean_up(child)
            self.dying.add(child.pid)
        self.top_up()
        return True

    def top_up(self) -> None:
        while len(self.ready) < self.depth:
            self.ready.append(self.fork_child())

    def _clean_up(self, child: Child) -> None:
        """Nothing of a submission outlives it: every process below this one but the children
        waiting for their jobs is killed (descendants come back to us: we are PID 1 of a
        namespace, or a subreaper)."""
        child.kill()
        if child.pidfd is not None:
            os.close(child.pidfd)
        self.dying |= linux.kill_descendants(keep={c.pid for c in self.ready})
        self.drop_scratch(child)

    def _reap(self) -> None:
        for pid in list(self.dying):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid  # not ours (an orphan reparented to us is reaped below)
            if done:
                self.dying.discard(pid)
        while True:  # orphans reparented to us, children that died on their own
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.dying.discard(pid)
            if self.running is not None and pid == self.running.pid:
                self.running_status = (status, usage)
            for child in [c for c in self.ready if c.pid == pid]:  # it died waiting: forked again later
                child.sock.close()
                if child.pidfd is not None:
                    os.close(child.pidfd)
                self.drop_scratch(child)
                self.ready.remove(child)
