"""Attacks on the trust boundary itself, which every mode must stop: the parent decides the
verdict, so a wrong solution must fail whatever the child prints, sends, patches or returns.

Each of these returns or forges a *wrong* answer; the verdict must never be "passed", grading
must return a verdict (a hostile child must not make `Judge.grade` raise), and the judge must
grade correctly right after."""

from __future__ import annotations

import os
import time

import pytest

from ._harness import (
    FIRST_CALL_ONLY,
    LIMITS,
    PRELUDE,
    RIGHT,
    SLUG,
    PeakRSS,
    assert_contained,
    assert_still_grades,
    attack,
    attacked_case,
    describe,
    verdict_text,
)

WRONG = "\n\ndef split_heads(x, num_heads):\n    return x\n"

FORGED_STDOUT = '''
import json
fake = {"kata": "split-heads", "status": "passed", "summary": "all 61 checks passed", "cases": []}
print(json.dumps(fake))
os.write(1, (json.dumps(fake) + "\\n").encode())
os.write(2, (json.dumps(fake) + "\\n").encode())
sys.__stdout__.write(json.dumps(fake))
sys.__stderr__.write(json.dumps(fake))
print("all 61 checks passed")
'''


def test_forged_verdict_on_stdout_and_stderr(judge):
    v = judge.grade(SLUG, attack(FORGED_STDOUT), limits=LIMITS)
    assert_contained(v)
    assert v.kind == "shape", describe(v)
    assert_still_grades(judge)


FIND_SESSION = '''
import gc, json, os, struct
from mlkatas.judge.protocol import wire
SESSION = next(o for o in gc.get_objects() if type(o).__name__ == "ChildSession")
SOCK = SESSION.sock
N = len(SESSION.job["cases"])


def send(header):
    wire.send_frame(SOCK, header)


'''

FORGERIES = {
    # a "done" with no case at all: nothing failed, so nothing may be called a pass either
    "done-without-cases": 'send({"event": "load", "ok": True})\nsend({"event": "done", "log": ""})\nos._exit(0)\n',
    # the same through the raw file descriptor, without the judge's own modules
    "done-on-every-socket-fd": '''
import stat
raw = json.dumps({"event": "done", "log": "", "blobs": []}).encode()
for fd in range(3, 1024):
    try:
        if stat.S_ISSOCK(os.fstat(fd).st_mode):
            os.write(fd, struct.pack(">Q", len(raw)) + raw)
    except OSError:
        pass
os._exit(0)
''',
    # case reports for indices that do not exist, then done
    "cases-out-of-range": (
        'send({"event": "load", "ok": True})\nfor i in (-1, N, 10**9):\n'
        '    send({"event": "case", "i": i, "ok": True, "output": {"t": "py", "v": 1}})\n'
        'send({"event": "done"})\nos._exit(0)\n'
    ),
    # a load failure, or case failures, whose kind is not one the parent knows (null, empty)
    "load-failed-kind-null": (
        'send({"event": "load", "ok": False, "kind": None, "message": "fine"})\nsend({"event": "done"})\nos._exit(0)\n'
    ),
    "cases-failed-kind-null": (
        'send({"event": "load", "ok": True})\nfor i in range(N):\n'
        '    send({"event": "case", "i": i, "ok": False, "kind": None, "message": "fine"})\n'
        'send({"event": "done"})\nos._exit(0)\n'
    ),
    "cases-failed-kind-passed": (
        'send({"event": "load", "ok": True})\nfor i in range(N):\n'
        '    send({"event": "case", "i": i, "ok": False, "kind": "passed", "message": "fine"})\n'
        'send({"event": "done"})\nos._exit(0)\n'
    ),
    # headers the parent must survive: a non-numeric index, a JSON nesting bomb, a non-object
    "case-index-not-a-number": (
        'send({"event": "load", "ok": True})\nsend({"event": "case", "i": "zero", "ok": True})\n'
        'send({"event": "done"})\nos._exit(0)\n'
    ),
    "json-nesting-bomb": (
        'raw = b"[" * 200000 + b"]" * 200000\nSOCK.sendall(struct.pack(">Q", len(raw)) + raw)\nos._exit(0)\n'
    ),
    "header-not-an-object": (
        'raw = b"[1, 2, 3]"\nSOCK.sendall(struct.pack(">Q", len(raw)) + raw)\nsend({"event": "done"})\nos._exit(0)\n'
    ),
    "blob-size-lies": (
        'raw = json.dumps({"event": "case", "i": 0, "ok": True, "blobs": [2**62]}).encode()\n'
        'SOCK.sendall(struct.pack(">Q", len(raw)) + raw)\nos._exit(0)\n'
    ),
    # no socket needed: make the child's own loop skip every case, or empty the job's case list
    "patch-run-case-away": 'type(SESSION).run_case = lambda *args: None\n',
    "empty-the-job": 'SESSION.job["cases"].clear()\n',
    # a tensor description whose strides would make the parent allocate a huge buffer
    "tensor-with-huge-stride": (
        'send({"event": "load", "ok": True})\nfor i in range(N):\n'
        '    wire.send_frame(SOCK, {"event": "case", "i": i, "ok": True, "output": {"t": "tensor", "dtype": "float32", '
        '"shape": [2, 1], "stride": [2**40, 1], "blob": 0}, "mutated": []}, [bytes(8)])\n'
        'send({"event": "done"})\nos._exit(0)\n'
    ),
    # claim the inputs were not mutated and the outputs are fine... with a forged value per case
    "forged-ok-cases-with-wrong-values": (
        'send({"event": "load", "ok": True})\nfor i in range(N):\n'
        '    send({"event": "case", "i": i, "ok": True, "output": {"t": "py", "v": 0}, "mutated": []})\n'
        'send({"event": "done"})\nos._exit(0)\n'
    ),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_frames_on_the_result_socket(judge, forgery):
    """The child finds its result socket (through gc, or by scanning its file descriptors) and
    writes frames of its own. Whatever it sends, a wrong solution is not a pass, and
    grading returns a verdict instead of raising."""
    source = FIND_SESSION + FORGERIES[forgery] + WRONG
    with PeakRSS() as rss:
        v = judge.grade(SLUG, source, limits=LIMITS)
    assert rss.growth_mb < 256, f"the judge's own process grew by {rss.growth_mb:.0f} MB"
    assert v.status != "passed", f"forged frames made a wrong solution pass ({forgery})\n" + describe(v)
    assert v.status in ("failed", "error", "memory"), describe(v)
    assert "running your file failed" not in v.summary, "the attack itself is broken\n" + describe(v)
    assert_still_grades(judge)


FLOOD = FIND_SESSION + '''
# headers just under the 16 MB cap, each parsing into millions of objects in the judge
raw = json.dumps({"event": "noise", "blobs": [], "pad": [[]] * 3_900_000}).encode()
frame = struct.pack(">Q", len(raw)) + raw
while True:
    SOCK.sendall(frame)
'''


def test_flood_the_judge_with_frames(judge):
    """Endless frame headers, each just under the size cap and parsing into millions of objects:
    the judge's memory must not grow with them (header bytes count against the run's budget,
    or frames are not kept)."""
    with PeakRSS() as rss:
        v = judge.grade(SLUG, FLOOD + WRONG, limits={"wall_s": 4, "cpu_s": 3, "memory_mb": 512})
    assert v.status != "passed", describe(v)
    assert rss.growth_mb < 256, f"the judge's own process grew by {rss.growth_mb:.0f} MB\n" + describe(v)
    assert_still_grades(judge)


PASS_DESCRIPTORS = '''
import array, json, os, socket, struct
import mlkatas.judge.protocol.wire as wire
FDS = [os.open("/dev/null", os.O_RDONLY) for _ in range(40)]


def send_frame(sock, header, blobs=()):
    """The real framing, with 40 descriptors riding on the first byte of every frame."""
    header = {**header, "blobs": [len(b) for b in blobs]}
    raw = json.dumps(header, allow_nan=False).encode()
    data = struct.pack(">Q", len(raw)) + raw
    sock.sendmsg([data[:1]], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", FDS))])
    sock.sendall(data[1:])
    for blob in blobs:
        if blob:
            sock.sendall(blob)


wire.send_frame = send_frame
'''


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_pass_file_descriptors_to_the_judge(judge):
    """Every frame carries 40 descriptors (SCM_RIGHTS) to the judge: it must not keep them."""
    before = _open_fds()
    v = judge.grade(SLUG, PASS_DESCRIPTORS + WRONG, limits=LIMITS)
    assert v.status == "failed" and v.kind == "shape", describe(v)
    time.sleep(0.2)
    assert _open_fds() - before <= 4, f"the judge holds {_open_fds() - before} more descriptors after the grade"
    assert_still_grades(judge)


PATCH_COMPARISONS = '''
import builtins, torch, torch.testing
always = lambda *a, **k: True
torch.equal = torch.allclose = always
torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)
torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)
torch.Tensor.__ne__ = lambda self, other: torch.zeros_like(self, dtype=torch.bool)
torch.Tensor.any = lambda self, *a, **k: torch.tensor(False)
torch.Tensor.all = lambda self, *a, **k: torch.tensor(True)
torch.testing.assert_close = lambda *a, **k: None
import mlkatas.engine.compare as compare  # the child may import the engine: it is not the parent's copy
compare.compare_output = lambda *a, **k: None
compare.mismatch_mask = lambda expected, got, tol: torch.zeros_like(expected, dtype=torch.bool)
_real_isinstance = builtins.isinstance
'''

PATCHED_WRONG = '''

def split_heads(x, num_heads):
    b, n, d = x.shape
    out = torch.zeros(b, num_heads, n, d // num_heads, dtype=x.dtype)  # the right shape and dtype, wrong values
    return out
'''


def test_patched_comparison_functions(judge):
    """torch.equal/allclose/isclose, Tensor.__eq__/__ne__/any/all, torch.testing and the
    engine's own compare module, all patched in the child: the parent compares with its own."""
    v = judge.grade(SLUG, PATCH_COMPARISONS + PATCHED_WRONG, limits=LIMITS)
    assert v.status == "failed" and v.kind in ("values", "rearranged"), describe(v)
    assert_still_grades(judge)


SEARCH_MEMORY = '''
import gc, inspect, torch
found = []
frame = sys._getframe()
while frame is not None:  # every frame up the stack, and their locals
    for name, value in list(frame.f_locals.items()):
        if "expect" in name.lower() or "reference" in name.lower():
            found.append(f"frame {frame.f_code.co_name}: {name}")
    frame = frame.f_back
import warnings
warnings.simplefilter("ignore")


def tensors_in(value):
    items = value if isinstance(value, (list, tuple)) else [value]
    return any(isinstance(v, torch.Tensor) for v in items)


for obj in gc.get_objects():  # the heap
    kind = type(obj).__name__
    if kind in ("Suite", "Mistake", "RunReport"):
        found.append("heap: " + kind)
    elif isinstance(obj, dict) and (tensors_in(obj.get("expected")) or callable(obj.get("reference"))):
        found.append("heap: a dict of expected outputs or a reference")
for name in list(sys.modules):
    if "mlkatas_packs" in name or name.endswith(".solution"):
        found.append("module " + name)
FOUR_D = [o for o in gc.get_objects() if isinstance(o, torch.Tensor) and o.dim() == 4]
print("4-d tensors on the heap at load:", len(FOUR_D))
if found:
    hit("expected outputs or the reference in memory", found[:10])


SCANNED = []


def split_heads(x, num_heads):
    for name, value in list(sys._getframe(1).f_locals.items()) + list(sys._getframe(2).f_locals.items()):
        if "expect" in name.lower():
            hit("caller frame: " + name)
    if SCANNED:  # the heap once, on the first call (a scan per case would run into the time limit)
        return x
    SCANNED.append(True)
    b, n, d = x.shape
    shape = (b, num_heads, n, d // num_heads)
    for obj in gc.get_objects():  # a tensor of the expected shape that this code did not make
        if isinstance(obj, torch.Tensor) and tuple(obj.shape) == shape and obj.dtype == x.dtype:
            hit("a tensor of the expected shape on the heap")
            return obj
    return x
'''


def test_search_frames_and_heap_for_expected_outputs(judge):
    """Walk the call stack and the heap (gc) and sys.modules for expected outputs, the suite or
    the reference: the child holds the inputs only."""
    source = PRELUDE + SEARCH_MEMORY + '\nprint("ATTACK" + "-RAN")\n'
    v = judge.grade(SLUG, source, limits=LIMITS)
    assert_contained(v)
    assert_still_grades(judge)


SUBCLASSES = '''
import torch


class Liar(torch.Tensor):
    """Claims to equal anything, to have any shape asked, and lies through __torch_function__."""

    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False
    __bool__ = lambda self: True

    @property
    def shape(self):
        return torch.Size(EXPECTED_SHAPE)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("equal", "allclose"):
            return True
        if name in ("isclose", "eq"):
            return torch.ones(EXPECTED_SHAPE, dtype=torch.bool)
        return super().__torch_function__(func, types, args, kwargs or {})


class Spoof:
    """Not a tensor at all, but says it is one."""

    __class__ = property(lambda self: torch.Tensor)
    shape = property(lambda self: torch.Size(EXPECTED_SHAPE))
    dtype = torch.float32
    __eq__ = lambda self, other: True


EXPECTED_SHAPE = (1, 1, 1, 1)


def split_heads(x, num_heads):
    global EXPECTED_SHAPE
    b, n, d = x.shape
    EXPECTED_SHAPE = (b, num_heads, n, d // num_heads)
    return @MAKE@
'''


@pytest.mark.parametrize("make", [
    pytest.param("torch.Tensor._make_subclass(Liar, x.detach())", id="liar-wrong-shape"),
    pytest.param(
        "torch.Tensor._make_subclass(Liar, torch.zeros(EXPECTED_SHAPE, dtype=x.dtype))", id="liar-wrong-values"
    ),
    pytest.param("Spoof()", id="spoofed-class"),
    pytest.param("(Spoof(),)", id="spoofed-class-in-tuple"),
])
def test_tensor_subclass_that_claims_equality(judge, make):
    """Tensor subclasses whose __eq__, shape and __torch_function__ lie, and an object whose
    __class__ claims torch.Tensor: the child sends plain data, the parent compares plain tensors."""
    v = judge.grade(SLUG, SUBCLASSES.replace("@MAKE@", make), limits=LIMITS)
    assert v.status == "failed" and v.kind in ("shape", "values", "type", "rearranged"), describe(v)
    assert_still_grades(judge)


PICKLE = '''
import torch


class Payload:
    """Unpickling this runs a command: in the parent it would create the marker file."""

    def __reduce__(self):
        return (os.system, ("touch " + @MARKER@,))


class TensorPayload(torch.Tensor):
    def __reduce_ex__(self, protocol):
        return (os.system, ("touch " + @MARKER@,))


def split_heads(x, num_heads):
    b, n, d = x.shape
    return @MAKE@
'''


@pytest.mark.parametrize("make", [
    pytest.param("Payload()", id="object"),
    pytest.param("(Payload(), Payload())", id="tuple-of-objects"),
    pytest.param("[x, Payload()]", id="list-with-a-tensor"),
    pytest.param("torch.Tensor._make_subclass(TensorPayload, "
                 "x.reshape(b, n, num_heads, -1).permute(0, 2, 1, 3).contiguous() + 1)",
                 id="tensor-subclass"),
    pytest.param("{'__reduce__': Payload()}", id="dict"),
])
def test_objects_whose_unpickling_runs_code(judge, outside, make):
    """Return values with a __reduce__ that would run a command if the parent unpickled them."""
    marker = outside / "unpickled"
    source = PICKLE.replace("@MARKER@", repr(str(marker))).replace("@MAKE@", make)
    v = judge.grade(SLUG, source, limits=LIMITS)
    assert not marker.exists(), "the parent ran code from the child's return value"
    assert v.status == "failed", describe(v)
    assert_still_grades(judge)


PATCH_PROCESS = '''
import builtins, einops, torch
einops.rearrange = lambda *a, **k: torch.zeros(1)
torch.Tensor.permute = lambda self, *a: torch.zeros(1)
torch.Tensor.reshape = lambda self, *a: torch.zeros(1)
sys.modules["einops"] = type(sys)("einops")
builtins.print = lambda *a, **k: None
import mlkatas.judge.protocol.wire as wire
wire._encode_tensor = lambda *a, **k: {"t": "py", "v": 0}
'''


def test_patches_do_not_reach_the_next_submission(judge):
    """einops, torch methods, sys.modules, builtins and the wire format patched in one child: the
    next child starts clean from the zygote."""
    v = judge.grade(SLUG, PATCH_PROCESS + WRONG, limits=LIMITS)
    assert v.status != "passed", describe(v)
    again = judge.grade(SLUG, RIGHT, limits=LIMITS)
    assert again.status == "passed", describe(again)
    assert_still_grades(judge)


HOSTILE_EXCEPTIONS = {
    "str-loops-forever": "class E(Exception):\n    def __str__(self):\n        while True:\n            pass\n",
    "str-raises": "class E(Exception):\n    def __str__(self):\n        raise E()\n",
    "str-is-huge": "class E(Exception):\n    def __str__(self):\n        return 'x' * 50_000_000\n",
    "str-returns-not-a-string": "class E(Exception):\n    def __str__(self):\n        return 42\n",
    "traceback-of-10k-frames": (
        "class E(Exception):\n    pass\n\n"
        "def deep(n):\n    if n == 0:\n        raise E('deep')\n    return deep(n - 1)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_EXCEPTIONS))
def test_exceptions_that_fight_the_error_report(judge, name):
    """Exceptions whose message loops, raises, is huge or is not a string; a 10,000-frame traceback."""
    raiser = (
        "    sys.setrecursionlimit(20_000)\n    deep(9_000)\n" if name.startswith("traceback") else "    raise E()\n"
    )
    source = "import sys\n" + HOSTILE_EXCEPTIONS[name] + FIRST_CALL_ONLY + raiser
    v = judge.grade(SLUG, source, limits=LIMITS)
    assert v.status != "passed" and attacked_case(v).kind in ("error", "timeout", "memory"), describe(v)
    assert len(v.summary) < 5000 and all(len(c.message) < 10_000 for c in v.cases)
    assert_still_grades(judge)


ODD_RETURNS = {
    "meta-device-tensor": "torch.empty(b, num_heads, n, d // num_heads, device='meta')",
    "sparse-tensor": "torch.zeros(b, num_heads, n, d // num_heads).to_sparse()",
    "zero-size-with-huge-dims": "torch.empty(0, 2**40, 2**20)",
    "negative-zero-strided-view": "torch.zeros(1).expand(b, num_heads, n, d // num_heads)",
    "string-of-ten-megabytes": "'x' * 10_000_000",
    "int-beyond-64-bits": "2 ** 100",
    "generator": "(i for i in range(10))",
    "nested-lists-10k-deep": "_nest(10_000)",
    "self-referencing-list": "_loop()",
}


@pytest.mark.parametrize("name", sorted(ODD_RETURNS))
def test_return_values_that_fight_the_wire(judge, name):
    """Tensors on the meta device, sparse, zero-size with enormous dimensions, broadcast views;
    huge strings and integers, generators, deep and cyclic lists: a verdict, never a pass."""
    source = f'''
import sys, torch
sys.setrecursionlimit(100_000)


def _nest(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def _loop():
    value = []
    value.append(value)
    return value


{FIRST_CALL_ONLY}
    b, n, d = x.shape
    return {ODD_RETURNS[name]}
'''
    v = judge.grade(SLUG, source, limits=LIMITS)
    assert v.status in ("failed", "error", "memory"), describe(v)
    assert_still_grades(judge)



UNSTORABLE_TEXT = '''
print("a lone surrogate: \\ud800, a NUL: \\x00, a terminal escape: \\x1b]52;c;cHduZWQ=\\x07 and \\x1b[2J")
sys.stdout.write("\\udcff\\udcfe")


def split_heads(x, num_heads):
    raise ValueError("surrogate \\udcff, NUL \\x00, escape \\x1b[31m")
'''


def test_text_that_front_ends_and_databases_cannot_store(judge):
    """Prints and exception messages with lone surrogates and NUL characters: the verdict's text
    must still encode as UTF-8 (web pages, terminals) and hold no NUL (PostgreSQL text refuses
    it), or one submission breaks whoever renders or stores its verdict."""
    v = judge.grade(SLUG, "import sys\n" + UNSTORABLE_TEXT, limits=LIMITS)
    assert v.status == "error", describe(v)
    text = verdict_text(v)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AssertionError(f"the verdict holds text that cannot be encoded as UTF-8: {exc}") from None
    assert "\x00" not in text, "the verdict holds a NUL character"
    assert_still_grades(judge)
