"""Zygote processes and the pool that lends them to grading threads.

A zygote serves one grading thread at a time. The pool starts one at once and more in the
background when every zygote is busy, up to its size (default: one per core); a zygote that dies
or stops answering is replaced in the background, and each is recycled after a number of jobs.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from mlkatas.judge.protocol import messages as protocol, wire

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


class Watchdog:
    """One thread that fires wall-clock kills at their deadlines (cheaper than a timer thread
    per job)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cancelled: set[int] = set()
        self._ids = itertools.count()
        self._cv = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="mlkatas-watchdog", daemon=True)
        self._thread.start()

    def schedule(self, delay_s: float, action: Callable[[], None]) -> int:
        handle = next(self._ids)
        with self._cv:
            heapq.heappush(self._heap, (time.monotonic() + delay_s, handle, action))
            self._cv.notify()
        return handle

    def cancel(self, handle: int) -> None:
        with self._cv:
            self._cancelled.add(handle)

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._heap:
                    self._cv.wait()
                when, handle, action = self._heap[0]
                delay = when - time.monotonic()
                if handle in self._cancelled:
                    heapq.heappop(self._heap)
                    self._cancelled.discard(handle)
                    continue
                if delay > 0:
                    self._cv.wait(delay)
                    continue
                heapq.heappop(self._heap)
            try:
                action()
            except Exception:  # noqa: BLE001 - a failed kill must not stop the watchdog
                pass
            action = None  # not kept alive (with the run it closes over) until the next deadline


_watchdog: Watchdog | None = None
_watchdog_lock = threading.Lock()


def watchdog() -> Watchdog:
    global _watchdog
    with _watchdog_lock:
        if _watchdog is None:
            _watchdog = Watchdog()
        return _watchdog


def zygote_env(mode: str) -> dict:
    """Local: the user's environment. Strict: only what Python needs to find the package; the
    judge's own variables (secrets, tokens) never reach a zygote."""
    if mode == "local":
        return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    # one thread for every numeric library: threads do not survive a fork
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for name in ("PYTHONPATH", "MLKATAS_PACKS"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


class Zygote:
    def __init__(self, mode: str = "local", plan: str | None = None):
        self.mode = mode
        self.init_pid: int | None = None
        self.layers: list[str] = []
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._stderr = tempfile.TemporaryFile()
        # strict: -P keeps the current folder off sys.path (it would become part of the view)
        argv = [sys.executable, *(["-P"] if mode == "strict" else []), "-m", "mlkatas.judge.worker.zygote_main", str(child_end.fileno()), mode]
        self.proc = subprocess.Popen(
            argv,
            pass_fds=[child_end.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            start_new_session=True,  # Ctrl-C in a terminal reaches the judge, not the zygote
            env=zygote_env(mode),
            cwd="/" if mode == "strict" else None,
        )
        child_end.close()
        self.ctrl = parent_end
        if plan is not None:  # on the control socket, not the command line: /proc shows that to anyone
            self._send({"plan": plan})
        self.jobs = 0
        self._take_pending = False
        self._ready: ReadyChild | None = None  # the next child, its handshake already done
        try:
            while True:
                ready = self._recv(STARTUP_TIMEOUT_S)
                if "init_pid" in ready:
                    self.init_pid = int(ready["init_pid"])
                    continue
                break
        except ZygoteDied:
            self.close()
            raise
        if not ready.get("ready"):
            self.close()
            if "layer" in ready:
                from mlkatas.judge.sandbox.modes import SandboxUnavailable

                raise SandboxUnavailable(
                    f"the strict sandbox cannot run here: its {ready['layer']} layer failed ({ready.get('error')})",
                    {ready["layer"]: str(ready.get("error"))},
                )
            raise ZygoteDied(f"the zygote did not start: {self._stderr_tail()}")
        self.layers = list(ready.get("layers", []))

    # -- control socket ---------------------------------------------------------------------------
    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read()[-2000:].decode("utf-8", "replace").strip() or "no output"
        except (OSError, ValueError):
            return "no output"

    def _recv(self, timeout: float | None = None) -> dict:
        msg, _fds = self._recv_fds(timeout, 0)
        return msg

    def _recv_fds(self, timeout: float | None, max_fds: int) -> tuple[dict, list[int]]:
        self.ctrl.settimeout(timeout)
        try:
            msg, fds, _flags, _addr = socket.recv_fds(self.ctrl, 65536, max_fds)
        except (OSError, socket.timeout) as exc:
            raise ZygoteDied(f"the zygote stopped answering ({exc}); {self._stderr_tail()}") from None
        if not msg:
            for fd in fds:
                os.close(fd)
            raise ZygoteDied(f"the zygote exited; {self._stderr_tail()}")
        try:
            reply = json.loads(msg)
            if not isinstance(reply, dict):
                raise ValueError("not an object")
        except ValueError:
            for fd in fds:
                os.close(fd)
            raise ZygoteDied("the zygote sent a malformed reply") from None
        return reply, list(fds)

    def _send(self, payload: dict, fds: list[int] = ()) -> None:
        try:
            socket.send_fds(self.ctrl, [json.dumps(payload).encode()], list(fds))
        except OSError as exc:
            raise ZygoteDied(f"the zygote is gone ({exc})") from None

    def _request(self, payload: dict, fds: list[int] = (), timeout: float = REQUEST_TIMEOUT_S) -> dict:
        self._send(payload, fds)
        return self._recv(timeout)

    # -- one job ----------------------------------------------------------------------------------
    def run(self, frames: list[tuple[dict, list[bytes], list[int]]], limits: dict, budget: RunBudget,
            on_message: Callable[[Any, list[bytes]], None]) -> ChildRun:
        """Run one job in a fresh child: send it `frames` (header, blobs, descriptors), hand each
        message it sends back to `on_message` as it arrives (protocol.ProtocolError there stops
        the run as a violation), until "done", the wall-clock deadline or the child's end. The
        child is killed, reaped and cleaned up whatever happens."""
        if self.mode == "strict":
            return self._run_strict(frames, limits, budget, on_message)
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            pid = int(self._request({"op": "spawn", "limits": limits}, [theirs.fileno()])["pid"])
        finally:
            theirs.close()
        self.jobs += 1
        run = ChildRun()
        try:
            self._collect(mine, frames, limits, budget, run, lambda: kill_group(pid), on_message)
        finally:  # reaped, and whatever it started killed, even when reading it failed
            reply = self._request({"op": "wait", "pid": pid})
        run.exit_code, run.cpu_s = reply["exit"], reply.get("cpu_s", 0.0)
        return run

    def prepare(self) -> None:
        """Strict mode: take the next child's handshake now (its descriptors and its word that it
        is sandboxed), so the next job goes out at once. ZygoteDied if no child comes."""
        if self.mode == "strict" and self._ready is None:
            self._ready = self._take_child()

    def _take_child(self) -> "ReadyChild":
        if not self._take_pending:
            self._send({"op": "take"})
        self._take_pending = False
        reply, fds = self._recv_fds(REQUEST_TIMEOUT_S, 2)
        if len(fds) != 2 or "pid" not in reply:
            for fd in fds:
                os.close(fd)
            raise ZygoteDied("the zygote answered a request for a child without one")
        child = ReadyChild(int(reply["pid"]), socket.socket(fileno=fds[0]), fds[1])
        try:  # a child says it is sandboxed before it is given anything
            child.sock.settimeout(REQUEST_TIMEOUT_S)
            first, _ = wire.recv_frame(child.sock, 1 << 16)
            child.sock.settimeout(None)
        except (OSError, EOFError, wire.WireError) as exc:
            first = {"event": "sandbox_failed", "error": f"no word from the child ({exc})"}
        if first.get("event") != "sandboxed":
            child.discard()
            raise ZygoteDied(f"a child could not enter the sandbox: {str(first.get('error'))[:500]}")
        return child

    def _run_strict(self, frames: list, limits: dict, budget: RunBudget, on_message) -> ChildRun:
        child, self._ready = self._ready or self._take_child(), None
        pid = child.pid
        self.jobs += 1
        run = ChildRun()
        try:
            self._collect(child.sock, [({"limits": limits}, [], []), *frames], limits, budget, run,
                          lambda: _pidfd_kill(child.pidfd), on_message)
        finally:  # the child goes, and the init cleans up after it, whatever happened above
            child.discard()
            if run.finished and not run.timed_out and run.violation is None:
                self._send({"op": "release", "pid": pid})  # no reply needed: the next request waits for it
                run.exit_code = 0
            else:
                reply = self._request({"op": "wait", "pid": pid})
                run.exit_code, run.cpu_s = reply["exit"], reply.get("cpu_s", 0.0)
            # ask for the next child now: its descriptors wait in the socket until the next job
            self._send({"op": "take"})
            self._take_pending = True
        return run

    @staticmethod
    def _collect(sock: socket.socket, frames: list, limits: dict, budget: RunBudget, run: ChildRun,
                 kill: Callable[[], None], on_message: Callable[[Any, list[bytes]], None]) -> None:
        """Send the job's frames, read messages back until "done" or the wall-clock deadline,
        then kill what is left of the child. At the deadline the socket is shut down too: a
        process the child left behind may hold its end open, and the judge stops reading anyway."""
        lock = threading.Lock()  # the deadline's shutdown never meets a closed (reused) descriptor

        def expire() -> None:
            with lock:
                run.timed_out = True
                kill()
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
            kill()  # nothing the child started outlives the job

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


@dataclass
class ReadyChild:
    """A sandboxed child the zygote handed over: the judge's end of its job socket, and a pidfd."""

    pid: int
    sock: socket.socket
    pidfd: int

    def discard(self) -> None:
        """Kill it (a no-op once it has exited) and close what the judge holds of it."""
        _pidfd_kill(self.pidfd)
        self.sock.close()
        try:
            os.close(self.pidfd)
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
            raise wire.WireError(f"a message header of {length} bytes is larger than the {budget.header_cap} bytes allowed")
        headers += length
        if headers > budget.header_total:
            raise wire.WireError(f"the messages' headers are larger than the {budget.header_total} bytes a run may send")
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


def _pidfd_kill(pidfd: int) -> None:
    try:
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except OSError:
        pass


def kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue


class ZygotePool:
    """Up to `size` zygotes shared by grading threads; safe to call from several threads."""

    def __init__(self, size: int, mode: str, plan: str | None = None, recycle_after: int = 1000, start: int = 1):
        self.mode = mode
        self.plan = plan
        self.size = max(1, size)
        self.recycle_after = recycle_after
        self.recovered = 0  # zygotes replaced after a failure
        self._idle: queue.Queue[Zygote] = queue.Queue()
        self._all: list[Zygote] = []
        self._starting = 0
        self._lock = threading.Lock()
        self._prepared = threading.Condition()
        self._preparing = 0  # zygotes taking their next child's handshake before going idle
        self._to_prepare: queue.Queue[Zygote | None] = queue.Queue()
        self._preparers: list[threading.Thread] = []  # one per zygote the pool may hold
        self._closed = False
        self._start_error: BaseException | None = None
        # the first zygotes start now, in parallel; an error (a sandbox layer that fails) is raised here
        starters = [self._start_one() for _ in range(max(1, min(start, self.size)))]
        for t in starters:
            t.join()
        if not self._all:
            error = self._start_error
            self.close()
            if error is not None:
                raise error
            raise ZygoteDied("the judge could not start its worker process")

    def _start_one(self) -> threading.Thread:
        with self._lock:
            self._starting += 1
        thread = threading.Thread(target=self._add, name="mlkatas-zygote-start", daemon=True)
        thread.start()
        return thread

    def _add(self) -> None:
        try:
            zygote = Zygote(self.mode, self.plan)
        except BaseException as exc:  # noqa: BLE001 - reported by the pool's constructor
            with self._lock:
                self._starting -= 1
                self._start_error = exc
            return
        with self._lock:
            self._starting -= 1
            if self._closed:
                zygote.close()
                return
            self._all.append(zygote)
        self._idle.put(zygote)

    def fill(self) -> None:
        """Start zygotes until the pool is full, and wait for them."""
        with self._lock:
            missing = self.size - len(self._all) - self._starting
        for t in [self._start_one() for _ in range(max(0, missing))]:
            t.join()

    def acquire(self, timeout: float | None = None) -> Zygote:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._closed:
                raise RuntimeError("the judge is closed")
            try:
                zygote = self._idle.get_nowait()
            except queue.Empty:
                pass
            else:
                if zygote.alive():
                    return zygote
                self.release(zygote, broken=True)  # died while idle: replace it, lend another
                continue
            with self._lock:  # all busy: grow in the background, and take whichever frees first
                grow = len(self._all) + self._starting < self.size
            with self._prepared:  # one readying its next child is free in a moment: no new zygote
                grow = grow and self._preparing == 0 and self._idle.empty()
            if grow:
                self._start_one()
            wait = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            if wait <= 0:
                raise TimeoutError("no judge worker became free in time")
            try:
                zygote = self._idle.get(timeout=wait)
            except queue.Empty:
                with self._lock:
                    if not self._all and not self._starting and self._start_error is not None:
                        raise ZygoteDied(f"the judge cannot start a worker: {self._start_error}")
                continue
            if zygote.alive():
                return zygote
            self.release(zygote, broken=True)

    def release(self, zygote: Zygote, broken: bool = False) -> None:
        """Back to the pool; a broken, dead or worn-out zygote is replaced in the background. A
        strict one first takes its next child's handshake, in the background too, so the next
        submission it gets starts at once."""
        if broken or zygote.jobs >= self.recycle_after or not zygote.alive():
            with self._lock:
                if zygote in self._all:
                    self._all.remove(zygote)
                if broken:
                    self.recovered += 1
            threading.Thread(target=zygote.close, daemon=True).start()
            if not self._closed:
                self._start_one()
            return
        if zygote.mode != "strict" or self._closed:
            self._idle.put(zygote)
            return
        with self._prepared:
            self._preparing += 1
            if not self._preparers:  # started once: a thread started per grade cost 0.7 ms each
                self._preparers = [threading.Thread(target=self._prepare_loop, name="mlkatas-prepare", daemon=True)
                                   for _ in range(self.size)]
                for thread in self._preparers:
                    thread.start()
        self._to_prepare.put(zygote)

    def _prepare_loop(self) -> None:
        while True:
            zygote = self._to_prepare.get()
            if zygote is None:
                return
            self._prepare(zygote)

    def _prepare(self, zygote: Zygote) -> None:
        try:
            zygote.prepare()
        except ZygoteDied:
            ok = False
            if not self._closed:  # closing: the pool closes every zygote itself
                self.release(zygote, broken=True)
        else:
            ok = True
        with self._prepared:  # with the count, so acquire never sees it neither idle nor preparing
            if ok:
                self._idle.put(zygote)
            self._preparing -= 1
            self._prepared.notify_all()

    def wait_prepared(self, timeout: float = REQUEST_TIMEOUT_S) -> bool:
        """Until every zygote handed back has its next child ready (what a submission arriving at
        an idle judge finds); False on timeout."""
        with self._prepared:
            return self._prepared.wait_for(lambda: self._preparing == 0, timeout)

    def zygotes(self) -> list[Zygote]:
        with self._lock:
            return list(self._all)

    def close(self) -> None:
        self._closed = True
        self.wait_prepared(5.0)  # a zygote is closed by one thread only
        for _ in self._preparers:
            self._to_prepare.put(None)
        with self._lock:
            zygotes, self._all = self._all, []
        for z in zygotes:
            z.ctrl.close()  # all at once: each leaves in parallel
        for z in zygotes:
            z.close(grace_s=2.0)
