"""The judge's handle on one zygote process: start it, take a child from it for each job, run
the job, and read what the child sends back under the job's budget and deadline.

Trust boundary: the zygote and its children may meet learner code; everything a child sends is
checked against protocol.messages before the judge's reader sees it, and what a run may cost the
judge is bounded (RunBudget). The control socket speaks protocol.control, the same in both modes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from dataclasses import dataclass
from typing import Any, Callable

import msgspec

from mlkatas.judge.protocol import control, wire
from mlkatas.judge.protocol import messages as protocol
from mlkatas.judge.sandbox import linux
from mlkatas.judge.worker.launch import launch, take_prelaunched
from mlkatas.judge.worker.watchdog import watchdog

STARTUP_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 30.0


class ZygoteDied(RuntimeError):
    """The zygote stopped answering or broke a promise; the pool replaces it."""


@dataclass
class ChildRun:
    """How one child's run ended, and whether the judge stopped it. Its messages are handed to
    the reader as they arrive and not kept: a run costs the judge what the reader keeps."""

    finished: bool = False  # the child said "done": it ran the whole job
    exit_code: int | None = None  # negative: killed by that signal
    timed_out: bool = False
    wire_error: str | None = None  # more data than the run may send
    violation: str | None = None  # data that is not the protocol (protocol.ProtocolError)
    cpu_s: float = 0.0


@dataclass(frozen=True)
class RunBudget:
    """What one run may cost the judge: bytes in all, header bytes per message and in all, and
    messages. Header bytes are counted apart because a header becomes Python objects (each small
    JSON value a struct), blobs stay bytes."""

    max_bytes: int
    header_cap: int
    header_total: int
    max_messages: int

    @classmethod
    def for_job(cls, output_bytes: int, log_bytes: int, cases: int) -> "RunBudget":
        # the "done" message carries the printed output, each character at most 6 bytes of JSON
        log = 6 * log_bytes
        return cls(max_bytes=output_bytes + (8 << 20), header_cap=(1 << 20) + log,
                   header_total=(4 << 20) + log, max_messages=cases + 3)


class Zygote:
    """One zygote process and its control socket, used by one grading thread at a time. A job
    runs in a child taken from it (ahead of time, by `prepare`, when the pool can), and the child
    is killed and cleaned up whatever happens to the job."""

    def __init__(self, mode: str = "local", plan: str | None = None):
        self.mode = mode
        self.layers: list[str] = []
        launched = take_prelaunched(mode) or launch(mode)  # one started ahead (launch.py), else a new one
        self.proc, self.ctrl, self._stderr = launched.proc, launched.ctrl, launched.stderr
        self.jobs = 0
        self._take_pending = False
        self._ready: ReadyChild | None = None  # the next child, its handshake already done
        try:
            if plan is not None:  # on the control socket, not the command line: /proc shows that to anyone
                self._send(control.Plan(plan))
            ready, _ = self._recv(STARTUP_TIMEOUT_S)
        except ZygoteDied:
            self.close()
            raise
        if isinstance(ready, control.ZygoteRefused):
            self.close()
            from mlkatas.judge.sandbox.modes import SandboxUnavailable

            raise SandboxUnavailable(
                f"the strict sandbox cannot run here: its {ready.layer} layer failed ({ready.error})",
                {ready.layer: ready.error},
            )
        if not isinstance(ready, control.ZygoteReady):
            self.close()
            raise ZygoteDied(f"the zygote did not start: {self._stderr_tail()}")
        self.layers = list(ready.layers)

    # -- control socket ---------------------------------------------------------------------------
    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read()[-2000:].decode("utf-8", "replace").strip() or "no output"
        except (OSError, ValueError):
            return "no output"

    def _recv(self, timeout: float | None, max_fds: int = 0) -> tuple[control.Reply, list[int]]:
        self.ctrl.settimeout(timeout)
        try:
            msg, fds, _flags, _addr = socket.recv_fds(self.ctrl, 65536, max_fds)
        except (OSError, socket.timeout) as exc:
            raise ZygoteDied(f"the zygote stopped answering ({exc}); {self._stderr_tail()}") from None
        try:
            if not msg:
                raise ZygoteDied(f"the zygote exited; {self._stderr_tail()}")
            try:
                return control.decode_reply(msg), list(fds)
            except msgspec.DecodeError:
                raise ZygoteDied("the zygote sent a malformed reply") from None
        except ZygoteDied:
            for fd in fds:
                os.close(fd)
            raise

    def _send(self, message: msgspec.Struct) -> None:
        try:
            self.ctrl.send(control.encode(message))
        except OSError as exc:
            raise ZygoteDied(f"the zygote is gone ({exc})") from None

    # -- one job ----------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Take the next child's handshake now (its descriptors and its word that it is ready, in
        strict mode sandboxed), so the next job goes out at once. ZygoteDied if no child comes."""
        if self._ready is None:
            self._ready = self._take_child()

    def _take_child(self) -> "ReadyChild":
        if not self._take_pending:
            self._send(control.Take())
        self._take_pending = False
        reply, fds = self._recv(REQUEST_TIMEOUT_S, 2)
        if not isinstance(reply, control.Handover) or not 1 <= len(fds) <= 2:
            for fd in fds:
                os.close(fd)
            raise ZygoteDied("the zygote answered a request for a child without one")
        pidfd = fds[1] if len(fds) == 2 else None
        child = ReadyChild(reply.pid, socket.socket(fileno=fds[0]), pidfd, same_namespace=self.mode == "local")
        try:  # a child says it is ready (sandboxed) before it is given anything
            child.sock.settimeout(REQUEST_TIMEOUT_S)
            length = int.from_bytes(wire.recv_exact(child.sock, 8), "big")
            first = protocol.decode_handshake(wire.recv_exact(child.sock, length) if length <= 1 << 16 else b"")
            child.sock.settimeout(None)
        except (OSError, EOFError, protocol.ProtocolError) as exc:
            first = protocol.SandboxFailed(f"no word from the child ({exc})")
        if not isinstance(first, protocol.ChildReady):
            child.discard()
            raise ZygoteDied(f"a child could not enter the sandbox: {first.error[:500]}")
        return child

    def run(self, frames: list[tuple[dict, list[bytes], list[int]]], limits: dict, budget: "RunBudget",
            on_message: Callable[[Any, list[bytes]], None]) -> "ChildRun":
        """Run one job in a fresh child: send it its limits, then `frames` (header, blobs,
        descriptors); hand each message it sends back to `on_message` as it arrives
        (protocol.ProtocolError there stops the run as a violation), until "done", the
        wall-clock deadline or the child's end. The child is killed, reaped and cleaned up
        whatever happens."""
        child, self._ready = self._ready or self._take_child(), None
        self.jobs += 1
        run = ChildRun()
        try:
            _collect(child, [({"limits": limits}, [], []), *frames], limits, budget, run, on_message)
        finally:  # the child goes, and the zygote cleans up after it, whatever happened above
            child.discard()
            if run.finished and not run.timed_out and run.violation is None:
                self._send(control.Release(child.pid))  # no reply needed: the next request waits for it
                run.exit_code = 0
            else:
                report, _ = self._recv_after(control.Wait(child.pid))
                run.exit_code, run.cpu_s = report.exit, report.cpu_s
            # ask for the next child now: its descriptors wait in the socket until the next job
            self._send(control.Take())
            self._take_pending = True
        return run

    def _recv_after(self, request: control.Wait) -> tuple[control.ExitReport, list[int]]:
        self._send(request)
        reply, fds = self._recv(REQUEST_TIMEOUT_S)
        if not isinstance(reply, control.ExitReport):
            raise ZygoteDied("the zygote answered a wait without an exit status")
        return reply, fds

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, grace_s: float = 0.0) -> None:
        """Closing the control socket asks the zygote to leave (it cleans up); after `grace_s`
        its whole process group is killed."""
        if self._ready is not None:
            self._ready.discard()
            self._ready = None
        try:
            self.ctrl.close()
        finally:
            if self.proc.poll() is None and grace_s > 0:
                try:
                    self.proc.wait(grace_s)
                except subprocess.TimeoutExpired:
                    pass
            if self.proc.poll() is None:
                kill_group(self.proc.pid)  # the boot process and the init (same process group)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self._stderr.close()


def _collect(child: "ReadyChild", frames: list, limits: dict, budget: "RunBudget", run: "ChildRun",
             on_message: Callable[[Any, list[bytes]], None]) -> None:
    """Send the job's frames, read messages back until "done" or the wall-clock deadline, then
    kill what is left of the child. At the deadline the socket is shut down too: a process the
    child left behind may hold its end open, and the judge stops reading anyway."""
    sock = child.sock
    lock = threading.Lock()  # the deadline's shutdown never meets a closed (reused) descriptor

    def expire() -> None:
        with lock:
            run.timed_out = True
            child.kill()
            if sock.fileno() >= 0:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    handle = watchdog().schedule(float(limits["wall_s"]), expire)
    try:
        for header, blobs, fds in frames:
            wire.send_frame(sock, header, blobs, fds)
        _read_messages(_FrameReader(sock), budget, run, on_message)
    except (EOFError, OSError):
        pass  # the child died or was killed: its exit status tells why
    except wire.WireError as exc:
        run.wire_error = str(exc)
    except protocol.ProtocolError as exc:
        run.violation = str(exc)
    finally:
        watchdog().cancel(handle)
        with lock:
            sock.close()
        child.kill()  # nothing the child started outlives the job


@dataclass
class ReadyChild:
    """A child the zygote handed over: the judge's end of its job socket, and a pidfd to kill it
    with (or, for a local child without one, its pid in the judge's own PID namespace)."""

    pid: int
    sock: socket.socket
    pidfd: int | None
    same_namespace: bool  # a local child: its pid (and its process group) are the judge's to signal

    def kill(self) -> None:
        if self.pidfd is not None:
            linux.pidfd_kill(self.pidfd)
        if self.same_namespace:
            kill_group(self.pid)

    def discard(self) -> None:
        """Kill it (a no-op once it has exited) and close what the judge holds of it."""
        self.kill()
        self.sock.close()
        pidfd, self.pidfd = self.pidfd, None  # forgotten before closed: a late kill never hits a reused number
        if pidfd is not None:
            try:
                os.close(pidfd)
            except OSError:
                pass


def _read_messages(reader: "_FrameReader", budget: RunBudget, run: ChildRun,
                   on_message: Callable[[Any, list[bytes]], None]) -> None:
    """A run's messages, each checked against the protocol and the budget before it is handed
    on; a header too large is refused before it is parsed (parsing costs far more than its bytes)."""
    headers = messages = 0
    while True:
        length = reader.peek_length()
        if length is None:
            return
        if length > budget.header_cap:
            raise wire.WireError(
                f"a message header of {length} bytes is larger than the {budget.header_cap} bytes allowed"
            )
        headers += length
        if headers > budget.header_total:
            raise wire.WireError(
                f"the messages' headers are larger than the {budget.header_total} bytes a run may send"
            )
        raw = wire.recv_exact(reader, 8 + length)[8:]
        message = protocol.decode_run_message(raw)
        sizes = message.blobs
        if reader.received + sum(sizes) > budget.max_bytes:
            raise wire.WireError(f"the data sent is larger than the limit of {budget.max_bytes} bytes")
        blobs = [wire.recv_exact(reader, size) if size else b"" for size in sizes]
        messages += 1
        if messages > budget.max_messages:
            raise protocol.ProtocolError(f"more than the {budget.max_messages} messages a job has")
        on_message(message, blobs)
        if isinstance(message, protocol.Done):
            run.finished = True
            return


class _FrameReader:
    """The judge's end of a job socket for wire.recv_frame: reads what the child has sent in
    large chunks (one system call for many small frames), lets the next frame's header length be
    checked before the header is parsed (parsing a large JSON header costs far more memory than
    its bytes), and counts the bytes handed out, headers included, against the run's budget."""

    CHUNK = 1 << 18

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""
        self.pos = 0
        self.received = 0

    def _buffered(self) -> int:
        return len(self.buf) - self.pos

    def _fill(self, n: int) -> bool:
        """At least `n` bytes buffered; False at the end of the stream."""
        while self._buffered() < n:
            chunk = self.sock.recv(max(self.CHUNK, n - self._buffered()))
            if not chunk:
                return False
            self.buf = self.buf[self.pos:] + chunk
            self.pos = 0
        return True

    def peek_length(self) -> int | None:
        """The next frame's header length, or None at the end of the stream."""
        if not self._fill(8):
            return None
        return int.from_bytes(self.buf[self.pos:self.pos + 8], "big")

    def recv(self, n: int) -> bytes:
        if not self._buffered():
            if n >= self.CHUNK:  # a large blob: straight from the socket, no copy through the buffer
                data = self.sock.recv(n)
                self.received += len(data)
                return data
            if not self._fill(1):
                return b""
        data = self.buf[self.pos:self.pos + n]
        self.pos += len(data)
        self.received += len(data)
        return data


def kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue


