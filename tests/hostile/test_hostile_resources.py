"""Attacks on the limits: CPU, wall clock, signals, memory, file descriptors, output size,
recursion and threads that outlive the call. Every mode has the limits, so these run against
both judges; each also checks that the judge's own process did not pay for the attack."""

from __future__ import annotations

import re
import time

import pytest

from ._harness import (
    FIRST_CALL_ONLY,
    LIMITS,
    SLUG,
    PeakRSS,
    assert_contained,
    assert_still_grades,
    attack,
    attacked_case,
    describe,
)


def grade_timed(judge, source, limits=LIMITS):
    started = time.monotonic()
    v = judge.grade(SLUG, source, limits=limits)
    return v, time.monotonic() - started


def test_busy_loop_times_out_naming_the_limit(judge):
    v, elapsed = grade_timed(judge, "def split_heads(x, num_heads):\n    while True:\n        pass\n")
    assert v.status == "timeout" and v.kind == "timeout", describe(v)
    assert re.search(r"limit of [0-9.]+ s", v.summary), v.summary
    assert elapsed < LIMITS["wall_s"] + 4
    assert_still_grades(judge)


IGNORE_SIGNALS = '''
import signal, time
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGALRM, signal.SIGUSR1,
            signal.SIGPIPE):
    signal.signal(sig, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})


def split_heads(x, num_heads):
    while True:
        time.sleep(100)
'''


def test_sleep_that_ignores_and_blocks_signals(judge):
    """SIGTERM, SIGINT, SIGXCPU... ignored and blocked, then an endless sleep (no CPU used): only
    the wall-clock kill can end it, and it must say so."""
    v, elapsed = grade_timed(judge, IGNORE_SIGNALS)
    assert v.status == "timeout", describe(v)
    assert "wall-clock" in v.summary and f"{LIMITS['wall_s']:g} s" in v.summary, v.summary
    assert elapsed < LIMITS["wall_s"] + 4
    assert_still_grades(judge)


def test_busy_loop_that_ignores_sigxcpu(judge):
    """The soft CPU limit's SIGXCPU ignored: the hard limit (or the wall clock) still ends it."""
    source = ("import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\n\n"
              "def split_heads(x, num_heads):\n    while True:\n        pass\n")
    v, elapsed = grade_timed(judge, source, limits={"wall_s": 6, "cpu_s": 1, "memory_mb": 512})
    assert v.status == "timeout", describe(v)
    assert "limit of" in v.summary
    assert elapsed < 10
    assert_still_grades(judge)


MEMORY_BOMBS = {
    "list-of-bytearrays": "keep = []\n    while True:\n        keep.append(bytearray(64 * 2**20))",
    "touched-pages": "keep = []\n    while True:\n        keep.append(torch.ones(16 * 2**20))",
    "one-huge-tensor": "return torch.empty(2**34, dtype=torch.uint8).fill_(1)",
    "bytes-repetition": "return b'x' * 2**34",
    "numpy": "import numpy\n    return numpy.ones(2**32)",
}


@pytest.mark.parametrize("name", sorted(MEMORY_BOMBS))
def test_memory_bomb(judge, name):
    source = "import torch\n" + FIRST_CALL_ONLY + "    " + MEMORY_BOMBS[name] + "\n"
    with PeakRSS() as rss:
        v, elapsed = grade_timed(judge, source)
    assert v.status != "passed" and attacked_case(v).kind == "memory", describe(v)
    assert rss.growth_mb < 256, f"the judge's own process grew by {rss.growth_mb:.0f} MB"
    assert_still_grades(judge)


OPEN_FILES = '''
import errno, socket
opened = []
reason = "cap"
try:
    while len(opened) < 100_000:
        opened.append(os.open("/dev/null", os.O_RDONLY))
except OSError as exc:
    reason = errno.errorcode.get(exc.errno, str(exc.errno))
print(f"OPENED {len(opened)} {reason}")
try:
    while True:
        opened.append(os.dup(0))
except OSError:
    pass
'''


def test_open_file_exhaustion(judge):
    """Open files until the limit, keep them open, then answer: the child must still be able to
    report, and the verdict is the plain wrong-answer one."""
    v = judge.grade(SLUG, attack(OPEN_FILES), limits=LIMITS)
    assert_contained(v)
    assert v.kind == "shape", describe(v)
    count, reason = re.search(r"OPENED (\d+) (\w+)", v.output).groups()
    if judge.sandbox == "strict":
        assert reason == "EMFILE" and int(count) <= 65536, f"no open-file limit in the strict child ({count}, {reason})"
    assert_still_grades(judge)


HUGE_OUTPUTS = {
    # a 4 GiB view of one float: sending it means materialising it
    "expand-view-4GiB": "torch.zeros(1).expand(2**30)",
    "expand-view-right-shape": "torch.zeros(1, dtype=x.dtype).expand(2**16, num_heads, 2**10, 2**10)",
    "tensor-of-1e9-elements": "torch.empty(10**9, dtype=torch.uint8)",
    "ten-thousand-1MiB-tensors": "[torch.zeros(2**18) for _ in range(10_000)]",
    "list-of-10-million-ints": "list(range(10_000_000))",
    "tuple-of-10-thousand-lists": "tuple([0] * 1000 for _ in range(10_000))",
}


@pytest.mark.parametrize("name", sorted(HUGE_OUTPUTS))
def test_huge_return_values(judge, name):
    """Return values far over the output limit: refused in the child or by the parent's reader,
    never materialised in the judge's process."""
    source = "import torch\n" + FIRST_CALL_ONLY + "    return " + HUGE_OUTPUTS[name] + "\n"
    with PeakRSS() as rss:
        v, elapsed = grade_timed(judge, source)
    assert v.status in ("memory", "failed", "timeout"), describe(v)
    assert rss.growth_mb < 256, f"the judge's own process grew by {rss.growth_mb:.0f} MB"
    assert_still_grades(judge)


HUGE_PRINTS = {
    # 200 MiB through print, the raw descriptors and the original streams
    "prints-and-raw-writes": '''
chunk = "y" * 2**20
for _ in range(200):
    print(chunk)
os.write(1, b"z" * 2**24)
os.write(2, b"z" * 2**24)
sys.__stdout__.write(chunk * 16)
''',
    # the child's own capture patched to report far more than the log limit
    "patched-log-capture": '''
import mlkatas.judge.worker.child as child
child.BoundedText.text = lambda self: "y" * 1_200_000
''',
}


@pytest.mark.parametrize("how", sorted(HUGE_PRINTS))
def test_huge_printed_output(judge, how):
    """The verdict's output stays within the log limit (64 KiB), whatever the child prints or
    claims it printed."""
    with PeakRSS() as rss:
        v = judge.grade(SLUG, attack(HUGE_PRINTS[how]), limits={"wall_s": 10, "cpu_s": 8, "memory_mb": 512})
    assert v.status == "failed", describe(v)
    size = len(v.output)
    assert size <= 64 * 1024 + 200, f"{size} characters of output reached the verdict"
    assert rss.growth_mb < 256, f"the judge's own process grew by {rss.growth_mb:.0f} MB"
    assert_still_grades(judge)


@pytest.mark.parametrize("limit", [10**4, 10**7])
def test_deep_recursion(judge, limit):
    """Unbounded recursion with the default and with a raised recursion limit (then frames pile
    up until the memory or CPU limit, or the C stack overflows and SIGSEGV ends the child)."""
    source = (f"import sys\nsys.setrecursionlimit({limit})\n\n"
              "def down(n):\n    return down(n + 1) + 1\n\n"
              + FIRST_CALL_ONLY + "    return down(0)\n")
    v = judge.grade(SLUG, source, limits=LIMITS)
    assert v.status != "passed" and attacked_case(v).kind in ("error", "memory", "timeout"), describe(v)
    assert_still_grades(judge)


LINGERING_THREAD = '''
import threading, time


def linger():
    while True:
        for path in (@OUTSIDE@ + "/thread-log",):
            try:
                with open(path, "a") as f:
                    f.write("still here\\n")
            except BaseException:
                pass
        time.sleep(0.01)


for _ in range(4):
    threading.Thread(target=linger, daemon=False).start()
'''


def test_lingering_threads(judge, outside):
    """Non-daemon threads that keep writing after the function returned: they end with the child."""
    v = judge.grade(SLUG, attack(LINGERING_THREAD, OUTSIDE=str(outside)), limits=LIMITS)
    assert_contained(v)
    log = outside / "thread-log"
    time.sleep(0.3)
    size = log.stat().st_size if log.exists() else 0
    time.sleep(0.5)
    assert (log.stat().st_size if log.exists() else 0) == size, "a thread of the child is still writing"
    if judge.sandbox == "strict":
        assert not log.exists(), "the strict child wrote outside its scratch folder"
    assert_still_grades(judge)


THREAD_BOMB = '''
import threading, time
started = 0
try:
    while started < 100_000:
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        started += 1
except BaseException as exc:
    print(f"threads stopped at {started}: {type(exc).__name__}")
'''


def test_thread_bomb(judge):
    """Threads until the memory limit (or a task limit) stops them."""
    v = judge.grade(SLUG, attack(THREAD_BOMB), limits=LIMITS)
    assert v.status in ("failed", "memory", "error", "timeout"), describe(v)
    assert "ESCAPED-" not in v.output
    assert_still_grades(judge)


HOARDS = {
    # memory-backed files: their pages are not in the address space that RLIMIT_AS counts
    "memfd-files": '''
fds = []
while held < 2 * 2**30:
    fd = os.memfd_create("hoard")
    fds.append(fd)
    try:
        while held < 2 * 2**30:
            os.write(fd, chunk)
            held += len(chunk)
    except OSError as exc:
        if exc.errno != errno.EFBIG:
            raise
''',
    # files in the scratch folder (a size-limited tmpfs in strict mode)
    "scratch-files": '''
import tempfile
for i in range(48):
    path = os.path.join(tempfile.gettempdir(), "hoard-%d-%d" % (os.getpid(), i))
    PATHS.append(path)
    with open(path, "wb") as f:
        try:
            while held < 2 * 2**30:
                f.write(chunk)
                f.flush()
                held += len(chunk)
        except OSError as exc:
            if exc.errno != errno.EFBIG:
                raise
''',
    # System V shared memory: attach, fill, detach; the segment keeps its pages
    "sysv-shared-memory": '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
while held < 2 * 2**30:
    seg = libc.shmget(0, 128 * 2**20, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
    if seg < 0:
        raise OSError(ctypes.get_errno(), "shmget")
    SEGMENTS.append(seg)
    addr = libc.shmat(seg, None, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "shmat")
    ctypes.memset(addr, 1, 128 * 2**20)
    libc.shmdt(ctypes.c_void_p(addr))
    held += 128 * 2**20
''',
}

HOARD = '''
import errno, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the file-size limit: EFBIG instead of death
held, chunk, PATHS, SEGMENTS = 0, b"m" * 2**20, [], []
try:
@BODY@
except OSError as exc:
    print(f"stopped: {errno.errorcode.get(exc.errno, exc.errno)} {exc}")
print(f"HELD {held // 2**20} MiB")
for path in PATHS:  # give it back (what a child leaves is freed with it anyway in strict mode)
    if os.path.exists(path):
        os.unlink(path)
for seg in SEGMENTS:
    libc.shmctl(seg, 0, None)  # IPC_RMID
'''


@pytest.mark.parametrize("how", sorted(HOARDS))
def test_memory_outside_the_address_space_limit(strict_judge, how):
    """memfd files, scratch files and System V shared memory hold memory that RLIMIT_AS does not
    count: what a child holds that way must stay near its memory limit (here 256 MB), or one
    submission can take the machine's memory."""
    body = "\n".join("    " + line for line in HOARDS[how].strip().splitlines())
    v = strict_judge.grade(
        SLUG, attack(HOARD.replace("@BODY@", body)), limits={"wall_s": 10, "cpu_s": 8, "memory_mb": 256}
    )
    assert v.status in ("failed", "memory", "error", "timeout"), describe(v)
    found = re.search(r"HELD (\d+) MiB", v.output)
    assert found, describe(v)
    assert int(found.group(1)) <= 256, (
        f"the child held {found.group(1)} MiB outside its 256 MB limit ({how})\n" + describe(v)
    )
    assert_still_grades(strict_judge)
