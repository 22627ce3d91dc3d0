"""What runs in the forked child: the learner's code, on case inputs only.

The child receives the source and the inputs, calls the learner's function on each case and sends
back, per case, the output as plain tensor data and which inputs it changed. It never sees an
expected output; the parent compares. Everything it sends is data the parent decodes, never code.
"""

from __future__ import annotations

import io
import linecache
import mmap
import os
import socket
import sys
import threading
import time
import traceback
from typing import Any, Callable

import torch
from torch.overrides import TorchFunctionMode

from mlkatas.judge.protocol import wire

_exit = os._exit  # kept before learner code runs: it may replace os._exit
READY_EXIT = 70  # a child that could not set itself up

NOTHING = {"t": "list", "items": []}  # a case without constructor arguments or weights
MEMORY_MARKERS = ("can't allocate memory", "not enough memory", "DefaultCPUAllocator", "out of memory")


class BoundedText(io.TextIOBase):
    """A stdout/stderr replacement that keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[... {self.dropped} more characters of output cut]"
        return out


class OpCounter(TorchFunctionMode):
    """Counts the torch calls the learner's code makes (functions, tensor methods, operators),
    for rules such as "no loop over experts". A function mode, not a dispatch mode: the first
    dispatch mode imports torch._dynamo, which would add 70 MB to every zygote and so to the
    cost of every fork."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def layout(value: Any) -> Any:
    """What in-place changes to an argument's metadata would alter (its bytes are compared by
    the judge, in the shared memory of the inputs): for a tensor its type, storage address, dtype,
    shape and strides; for a list the identity of its items."""
    if isinstance(value, torch.Tensor):
        if type(value) is not torch.Tensor:  # only the learner's code makes an input a subclass
            return (type(value),)
        return (value.data_ptr(), value.dtype, value.shape, value.stride())
    if isinstance(value, (list, tuple)):
        return (type(value), [id(v) for v in value], [layout(v) for v in value])
    return None  # numbers and strings cannot change in place


def clip(text: str, limit: int) -> str:
    """At most `limit` characters of a text that goes into a message (the protocol caps those)."""
    return text if len(text) <= limit else text[:limit] + " [...]"


def _amount(size: int) -> str:
    """Bytes as a person reads them: 2.5 KiB, 300.0 MiB."""
    return f"{size / 2**10:.1f} KiB" if size < 2**20 else f"{size / 2**20:.1f} MiB"


def learner_traceback(exc: BaseException, filename: str) -> str:
    """The exception with the frames of the learner's own file only."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    lines = [f"  line {f.lineno}, in {f.name}: {clip((f.line or '').strip(), 300)}" for f in frames[-5:]]
    message = clip(str(exc), 2000)
    head = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return head + ("\n" + "\n".join(lines) if lines else "")


def classify(exc: BaseException) -> str:
    if isinstance(exc, MemoryError) or any(m in str(exc) for m in MEMORY_MARKERS):
        return "memory"
    return "error"


def _shift_blobs(desc: Any, offset: int) -> None:
    """Renumber the blob references of an encoded value appended after `offset` blobs."""
    if isinstance(desc, dict):
        if desc.get("t") == "tensor":
            desc["blob"] += offset
        for item in desc.get("items", ()):
            _shift_blobs(item, offset)


class SpareThread:
    """A thread started ahead of time that runs one function when given it: the first thread of a
    freshly forked process takes ~0.8 ms to start (in a verdict's timeline; `mlkatas dev
    bench-judge` shows the effect), which a child pays before its job arrives, not during it."""

    _spare: "SpareThread | None" = None

    def __init__(self) -> None:
        self.target = None
        self.given = threading.Event()
        self.thread = threading.Thread(target=self._wait, name="mlkatas-case-watchdog", daemon=True)
        self.thread.start()

    @classmethod
    def start_spare(cls) -> None:
        cls._spare = cls()

    @classmethod
    def take(cls) -> "SpareThread":
        spare, cls._spare = cls._spare, None
        return spare if spare is not None else cls()

    def run(self, target) -> threading.Thread:
        self.target = target
        self.given.set()
        return self.thread

    def _wait(self) -> None:
        self.given.wait()
        self.target()


class Outbox:
    """Case results go out several to a frame: one frame per case made the messages cost more
    than the cases. A batch goes once it is `batch_s` old, so the judge compares it while the
    next cases run. A watchdog sends what is waiting as soon as a case runs longer than
    `patience_s`, so a case that hangs is still the one the judge names."""

    def __init__(self, sock: socket.socket, patience_s: float = 0.02, max_bytes: int = 1 << 20, batch_s: float = 0.002):
        self.sock = sock
        self.patience_s = patience_s
        self.max_bytes = max_bytes
        self.batch_s = batch_s
        self.lock = threading.Lock()
        self.items: list[dict] = []
        self.blobs: list[bytes] = []
        self.size = 0
        self.batch_started = 0.0
        self.case_started: float | None = None
        self.closed = threading.Event()
        self.watchdog: threading.Thread | None = None

    def send(self, header: dict, blobs: list[bytes] = ()) -> None:
        """A frame of its own, after whatever is waiting."""
        with self.lock:
            self._flush_locked()
            wire.send_frame(self.sock, header, list(blobs))

    def add(self, item: dict, blobs: list[bytes] = ()) -> None:
        with self.lock:
            now = time.monotonic()
            if not self.items:
                self.batch_started = now
            if self.blobs:
                _shift_blobs(item.get("output"), len(self.blobs))
            self.items.append(item)
            self.blobs.extend(blobs)
            self.size += sum(len(b) for b in blobs)
            if self.size >= self.max_bytes or now - self.batch_started >= self.batch_s:
                self._flush_locked()

    def starting_case(self) -> None:
        self.case_started = time.monotonic()
        if self.watchdog is None:
            self.watchdog = SpareThread.take().run(self._watch)

    def _watch(self) -> None:
        while not self.closed.wait(self.patience_s / 2):
            started = self.case_started
            if self.items and started is not None and time.monotonic() - started > self.patience_s:
                try:
                    with self.lock:
                        self._flush_locked()
                except OSError:  # the judge hung up: nothing left to report to
                    return

    def _flush_locked(self) -> None:
        if self.items:
            items, blobs = self.items, self.blobs
            self.items, self.blobs, self.size = [], [], 0
            wire.send_frame(self.sock, {"event": "cases", "items": items}, blobs)

    def close(self) -> None:
        self.closed.set()
        with self.lock:
            self._flush_locked()


class ChildSession:
    """One job in a child: the learner's file loaded once, each case called on inputs viewed in
    the shared arena, each output encoded as data and sent in batches. It holds no expected
    output: what it reports, the judge checks (protocol.messages) and compares."""

    def __init__(self, sock: socket.socket, job: dict, inputs: Any):
        """`inputs`: the arena of the job's inputs, a writable buffer shared with the judge (which
        reads it back to see whether learner code wrote to it)."""
        self.sock = sock
        self.job = job
        self.inputs = wire.ArenaView(inputs)
        self.filename = job["filename"]
        self.output_limit = self.output_budget = int(job["output_bytes"])  # for all the cases of the run
        self.outbox = Outbox(sock)

    def send(self, header: dict, blobs: list[bytes] = ()) -> None:
        self.outbox.send(header, blobs)

    def finish(self, log: str) -> None:
        """Send what is waiting, then "done"."""
        self.outbox.close()
        wire.send_frame(self.sock, {"event": "done", "log": log})

    def run(self, log: BoundedText) -> None:
        """The job: load the file, every case, the rule probes, then "done" with what it printed."""
        entry = self.load()
        if entry is not None:
            for index, case in enumerate(self.job["cases"]):
                self.run_case(index, entry, case)
            if self.job["probes"]:
                self.run_probes(entry)
        self.finish(log.text())

    def load(self) -> Any:
        """Compile and run the learner's file; the entry point, or None after reporting why not."""
        source = self.job["source"]
        linecache.cache[self.filename] = (len(source), None, source.splitlines(True), self.filename)
        try:
            code = compile(source, self.filename, "exec")
        except SyntaxError as exc:
            where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
            text = clip((exc.text or "").rstrip(), 300)  # a line of a minified file can be megabytes
            msg = f"SyntaxError on {where}: {exc.msg}" + (f"\n    {text}" if text else "")
            self.send({"event": "load", "ok": False, "kind": "error", "message": msg, "line": exc.lineno})
            return None
        except (ValueError, RecursionError, MemoryError) as exc:
            self.send({"event": "load", "ok": False, "kind": classify(exc), "message": f"cannot compile: {exc}"})
            return None
        namespace = {"__name__": "__learner__", "__file__": self.filename, "__builtins__": __builtins__}
        try:
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - anything the learner's top level raises
            self.send({"event": "load", "ok": False, "kind": classify(exc),
                       "message": "running your file failed: " + learner_traceback(exc, self.filename)})
            return None
        entry = namespace.get(self.job["entry"])
        if entry is None:
            self.send({"event": "load", "ok": False, "kind": "error", "missing": True, "message": ""})
            return None
        if self.job["kind"] == "module":
            if not (isinstance(entry, type) and issubclass(entry, torch.nn.Module)):
                self.send({"event": "load", "ok": False, "kind": "error",
                           "message": f"{self.job['entry']} must be a class that subclasses torch.nn.Module"})
                return None
        elif not callable(entry):
            self.send({"event": "load", "ok": False, "kind": "error",
                       "message": f"{self.job['entry']} must be a function, found {type(entry).__name__}"})
            return None
        self.send({"event": "load", "ok": True})
        return entry

    def run_case(self, index: int, entry: Any, case: dict) -> None:
        self.outbox.starting_case()
        try:
            args = wire.decode(case["args"], self.inputs)
            before = [layout(a) for a in args]
            output = self._call_with(entry, case, args)
        except BaseException as exc:  # noqa: BLE001
            self.outbox.add(
                {"i": index, "ok": False, "kind": classify(exc), "message": learner_traceback(exc, self.filename)}
            )
            return
        mutated = [i for i, a in enumerate(args) if layout(a) != before[i]]  # their bytes: the judge checks those
        blobs: list[bytes] = []
        try:
            desc = wire.encode(output, blobs)
        except BaseException as exc:  # noqa: BLE001 - a hostile object may raise while inspected
            self.outbox.add({"i": index, "ok": False, "kind": "type",
                             "message": f"the returned value could not be read: {type(exc).__name__}: "
                                        f"{clip(str(exc), 2000)}"})
            return
        size = sum(len(b) for b in blobs)
        if size > self.output_budget:
            limit = f"the limit of {_amount(self.output_limit)} on what one run returns"
            left = (f"what is left ({_amount(self.output_budget)}, after the earlier cases) of {limit}"
                    if self.output_budget < self.output_limit else limit)
            self.outbox.add({"i": index, "ok": False, "kind": "memory",
                             "message": f"the returned tensors hold {_amount(size)}, over {left}"})
            return
        self.output_budget -= size
        self.outbox.add({"i": index, "ok": True, "output": desc, "mutated": mutated}, blobs)

    def _call_with(self, entry: Any, case: dict, args: list) -> Any:
        if self.job["kind"] != "module":
            return entry(*args)
        module = entry(*wire.decode(case.get("init", NOTHING), self.inputs))
        params = wire.decode(case.get("params", NOTHING), self.inputs)
        with torch.no_grad():
            for name, value in zip(case.get("param_names", ()), params, strict=True):
                try:
                    target = module.get_parameter(name)
                except AttributeError:
                    raise AttributeError(
                        f"your module has no parameter {name!r}: the kata's tests set it, so keep that name"
                    ) from None
                if target.shape != value.shape:
                    raise ValueError(
                        f"parameter {name} has shape {tuple(target.shape)}; "
                        f"the tests set one of shape {tuple(value.shape)}"
                    )
                target.copy_(value)
        return module(*args)

    def run_probes(self, entry: Any) -> None:
        """Work done per probe: torch calls plus lines of the learner's own file executed, so a
        Python loop over a dimension shows even when its body runs in numpy."""
        counts = []
        for case in self.job["probes"]:
            counter = OpCounter()
            lines = LineCounter(self.filename)
            try:
                args = wire.decode(case["args"], self.inputs)
                with counter, lines:
                    self._call_with(entry, case, args)
                counts.append(counter.count + lines.count)
            except BaseException:  # noqa: BLE001 - a failing probe is reported by the cases instead
                counts.append(None)
        self.send({"event": "probes", "counts": counts})


class LineCounter:
    """Counts line events in one file (a loop body runs its lines once per iteration)."""

    def __init__(self, filename: str):
        self.filename = filename
        self.count = 0

    def _local(self, frame, event, arg):
        if event == "line":
            self.count += 1
        return self._local

    def _global(self, frame, event, arg):
        return self._local if frame.f_code.co_filename == self.filename else None

    def __enter__(self) -> "LineCounter":
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.settrace(None)


def map_inputs(fd: int) -> Any:
    """The judge's shared input arena, mapped writable (a write is the learner's to answer for)."""
    try:
        size = os.fstat(fd).st_size
        return mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE) if size else bytearray()
    finally:
        os.close(fd)


def serve(sock: socket.socket) -> None:
    """Read one job, run it, report, and exit."""
    try:
        header, _, fds = wire.recv_frame_with_fds(sock, 1 << 26, 1)
        job = header["job"]
        log = BoundedText(int(job["log_bytes"]))
        sys.stdout = sys.stderr = log
        ChildSession(sock, job, map_inputs(fds[0])).run(log)
    except BaseException:  # noqa: BLE001 - the parent reads a missing "done" as a crash
        pass
    finally:
        _exit(0)


def run_child(
    sock: socket.socket, enter: Callable[[], int | None], apply_limits: Callable[[dict, int | None], None]
) -> None:
    """A freshly forked child, in either mode: set itself up (`enter`: the sandbox in strict
    mode; it returns the address space in use, the base of the memory limit), say it is ready,
    take its limits, then one job. Never returns into the zygote's loop."""
    try:
        base_vm = enter()
    except BaseException as exc:  # noqa: BLE001 - tell the judge, run nothing
        try:
            wire.send_frame(sock, {"event": "sandbox_failed", "error": f"{type(exc).__name__}: {exc}"})
        finally:
            _exit(READY_EXIT)
    SpareThread.start_spare()  # the case watchdog, started now rather than during the job
    try:
        wire.send_frame(sock, {"event": "ready"})
        header, _ = wire.recv_frame(sock, 1 << 16)
        apply_limits(header["limits"], base_vm)
    except BaseException:  # noqa: BLE001 - the judge went away, or sent no limits: nothing to run
        _exit(0)
    serve(sock)
