"""Attacks on what the judge promises about every grade: that the wall-clock limit bounds it
whatever the learner's processes hold, that a weaker strict sandbox says so on every verdict,
that a system call the filter cannot read ends the process at once, and that no process of the
judge shows where the kata packs (reference solutions, case generators) live.

The wall-clock attacks need a child that can fork: they run against the local judge and a
strict judge allowed to run without seccomp (`allow_weaker`, seccomp simulated missing). Each
process they start carries a unique marker in its name; a watcher records it, and whatever is
left afterwards is killed, so a judge that waits for it never makes this file wait 30 s.
"""

from __future__ import annotations

import os
import platform
import threading
import time

import pytest

from mlkatas.catalog import BUILTIN_PACKS
from mlkatas.judge import Judge
from mlkatas.judge.sandbox.modes import SIMULATE_ENV

from ._harness import (
    LIMITS,
    RIGHT,
    SLUG,
    ProcessWatch,
    _read,
    assert_contained,
    assert_still_grades,
    attack,
    describe,
    marker,
    process_state,
    processes_with,
    reap,
)

WEAKER = "weaker strict sandbox"  # what SandboxPlan.note() puts on every verdict of such a judge


@pytest.fixture(scope="module")
def weaker_judge(env_secret, catalog):
    """A strict judge started with `allow_weaker=True` while seccomp is simulated missing: the
    layers it keeps still apply, and a child can fork."""
    old = os.environ.get(SIMULATE_ENV)
    os.environ[SIMULATE_ENV] = "seccomp"
    try:
        judge = Judge(sandbox="strict", allow_weaker=True, catalog=catalog, workers=1)
        judge.start()
    finally:
        if old is None:
            os.environ.pop(SIMULATE_ENV, None)
        else:
            os.environ[SIMULATE_ENV] = old
    with judge:
        yield judge


@pytest.fixture(params=["local", "weaker-strict"])
def forking_judge(request):
    """The judges whose children may fork: local, and strict without seccomp."""
    return request.getfixturevalue("local_judge" if request.param == "local" else "weaker_judge")


# -- class 8: the wall-clock limit bounds the grade, whatever the child's descendants hold ----------
WALL = {"wall_s": 2, "cpu_s": 2, "memory_mb": 512}

# The grandchild: named with the marker, in a session of its own (out of the child's process
# group), holding every descriptor the child had, the job socket among them, for 30 s.
DETACH = '''
import ctypes, signal, time
MARK = @MARK@


def linger(ready_w=None, ignore=(), trickle=False):
    """In the forked process: carry the marker, leave the child's session, hold the job socket."""
    ctypes.CDLL(None).prctl(15, MARK.encode(), 0, 0, 0)  # PR_SET_NAME: the test finds it by name
    try:
        os.setsid()
    except OSError:
        pass
    for sig in ignore:
        signal.signal(sig, signal.SIG_IGN)
    if ready_w is not None:
        os.write(ready_w, b"1")
    if trickle:  # one frame, a byte at a time: the socket never goes quiet, the frame never ends
        import struct
        socks = [fd for fd in range(3, 256) if _is_socket(fd)]
        for fd in socks:
            try:
                os.write(fd, struct.pack(">Q", 4096) + b'{"event": "cases", "items": [')
            except OSError:
                pass
        for _ in range(300):
            for fd in socks:
                try:
                    os.write(fd, b" ")
                except OSError:
                    pass
            time.sleep(0.1)
    time.sleep(30)
    os._exit(0)


def _is_socket(fd):
    import stat
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False


def fork_lingerer(**how):
    """Fork the lingering process; return once it is named and detached."""
    ready_r, ready_w = os.pipe()
    if os.fork() == 0:
        os.close(ready_r)
        linger(ready_w, **how)
    os.close(ready_w)
    os.read(ready_r, 1)
    print("GRANDCHILD-" + "STARTED")
'''

HOLDERS = {
    # the child sleeps past the limit; the judge kills it, the grandchild keeps the socket open
    "child-sleeps-past-the-limit": '''
fork_lingerer()
time.sleep(30)
''',
    # the child leaves at once without saying "done": end-of-file never comes
    "child-exits-at-once": '''
fork_lingerer()
time.sleep(0.3)
os._exit(0)
''',
    # a double fork: the holder is not even the child's own child
    "double-fork": '''
ready_r, ready_w = os.pipe()
middle = os.fork()
if middle == 0:
    os.setsid()
    if os.fork() == 0:
        linger(ready_w)
    os._exit(0)
os.waitpid(middle, 0)
os.close(ready_w)
os.read(ready_r, 1)
print("GRANDCHILD-" + "STARTED")
time.sleep(30)
''',
    # the holder ignores the polite signals a judge might send a session it finds
    "grandchild-ignores-sigterm-and-sighup": '''
fork_lingerer(ignore=(signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT))
time.sleep(0.3)
os._exit(0)
''',
    # the holder keeps the socket busy with a frame that never ends: a timeout per read never fires
    "grandchild-trickles-frames": '''
fork_lingerer(trickle=True)
time.sleep(30)
''',
}


def alive_after(mark: str, within_s: float = 1.0) -> list[int]:
    """Pids carrying `mark` still alive after a grace period; a killed process its parent has not
    reaped yet (a zombie) is not alive."""
    deadline = time.monotonic() + within_s
    while True:
        pids = [pid for pid in processes_with(mark) if process_state(pid) not in (None, "Z", "X")]
        if not pids or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def grade_watched(judge, source: str, mark: str, limits: dict):
    """Grade in a thread, at most wall_s + 3 s. If the judge is still reading then, the marked
    processes are killed (which is what ends its wait today) so the test can say so and go on.
    Returns the verdict, the seconds grade() took, whether it overran, the marked pids ever seen,
    and those still alive 1 s after grade() returned."""
    done: dict = {}

    def work() -> None:
        started = time.monotonic()
        try:
            done["verdict"] = judge.grade(SLUG, source, limits=limits)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            done["error"] = exc
        done["elapsed"] = time.monotonic() - started

    bound = limits["wall_s"] + 3
    try:
        with ProcessWatch(mark) as watch:
            worker = threading.Thread(target=work, daemon=True)
            worker.start()
            worker.join(bound)
            overran = worker.is_alive()
            if overran:
                holders = processes_with(mark)
                reap(mark)
                worker.join(60)
                lingering = holders
            else:
                lingering = alive_after(mark, 1.0)
    finally:
        reap(mark)
    if "error" in done:
        raise done["error"]
    return done.get("verdict"), done.get("elapsed"), overran, sorted(watch.seen), lingering


@pytest.mark.parametrize("route", sorted(HOLDERS))
def test_a_detached_grandchild_cannot_hold_the_grade_past_the_wall_clock(forking_judge, route):
    """The learner's file forks a process into a session of its own that keeps the job socket
    open for 30 s (and the child sleeps, or leaves without a word). The judge reads until the
    deadline, not until end-of-file: grade() returns within the wall-clock limit plus 3 s with a
    verdict that is not a pass, and nothing the submission started is alive a second later."""
    mark = marker()
    source = attack(DETACH + HOLDERS[route], MARK=mark)
    v, elapsed, overran, seen, lingering = grade_watched(forking_judge, source, mark, WALL)
    shown = describe(v) if v is not None else "grade() had not returned 60 s after the grandchild was killed"
    assert seen, "the attack's grandchild never ran (so this proves nothing)\n" + shown
    assert not overran, (f"grade() was still waiting {WALL['wall_s'] + 3} s into a {WALL['wall_s']} s limit: a "
                         f"detached grandchild (pids {lingering}) held the job socket open; grade() returned only "
                         f"once the test killed it, {elapsed or 0:.1f} s after it started\n" + shown)
    assert v.status != "passed", describe(v)
    assert lingering == [], f"a process the submission started outlived the grade: pids {lingering}\n" + describe(v)
    assert_still_grades(forking_judge)


# -- class 9: a weaker strict sandbox marks every verdict ------------------------------------------
REJECTED = {
    "null-byte-in-text": "def split_heads(x, num_heads):\n    return x\x00\n",
    "null-byte-in-bytes": b"def split_heads(x, num_heads):\n    return x\x00\n",
    "not-utf8-bytes": b"def split_heads(x, num_heads):\n    return x  # \xff\xfe\n",
    "lone-surrogate-in-text": "def split_heads(x, num_heads):\n    return x  # \ud800\n",
    "too-large-text": "# " + "x" * 1_000_000 + "\n" + RIGHT,
    "too-large-bytes": ("# " + "x" * 1_000_000 + "\n" + RIGHT).encode(),
    "too-large-only-in-utf8": "# " + "\u00e9" * 500_001 + "\n" + RIGHT,  # 500,004 characters, 1,000,0xx bytes
}


@pytest.mark.parametrize("route", sorted(REJECTED))
def test_a_weaker_sandbox_marks_a_submission_rejected_before_it_runs(weaker_judge, route):
    """A submission refused before any child runs it (a null byte, bytes that are not UTF-8,
    text that is not valid Unicode, over 1,000,000 bytes) still gets a verdict from a strict judge
    that runs without one of its layers: that verdict, like every other, says the sandbox was
    weaker ("weaker strict sandbox ..." in its summary)."""
    v = weaker_judge.grade(SLUG, REJECTED[route], limits=LIMITS)
    assert v.status == "error", describe(v)
    assert WEAKER in v.summary, f"a verdict of a weaker strict sandbox does not say so ({route})\n" + describe(v)


@pytest.mark.parametrize("source, status",
                         [(RIGHT, "passed"), ("def split_heads(x, num_heads):\n    return x\n", "failed")],
                         ids=["passing", "failing"])
def test_a_weaker_sandbox_marks_graded_submissions(weaker_judge, source, status):
    """Control: a submission that runs, passing or failing, is marked too."""
    v = weaker_judge.grade(SLUG, source, limits={"wall_s": 10, "cpu_s": 5})
    assert v.status == status, describe(v)
    assert WEAKER in v.summary, describe(v)


# -- smaller 1: a system call of another ABI ends the process at once, and the verdict says so ----
X86_64 = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 machine code and ABIs")

I386_GETPID = '''
import ctypes, mmap
# mov eax, 20 (getpid in the i386 table); int 0x80 (the 32-bit entry); ret
CODE = bytes([0xB8, 0x14, 0x00, 0x00, 0x00, 0xCD, 0x80, 0xC3])
page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(CODE)
i386_getpid = ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
'''

FOREIGN_ABI = {
    # the main thread enters the kernel through int 0x80 at the file's top level
    "int80-main-thread": I386_GETPID + '''
print("i386 getpid:", i386_getpid())
''',
    # the same from a second thread that the main thread waits for
    "int80-second-thread": I386_GETPID + '''
import threading
worker = threading.Thread(target=lambda: print("i386 getpid:", i386_getpid()))
worker.start()
worker.join()
''',
    # the same from inside the graded function, while the cases run
    "int80-during-a-case": I386_GETPID,
    # the x32 ABI: the x86-64 entry with bit 30 set in the call number (getpid = 39)
    "x32-syscall-bit": '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
print("x32 getpid:", libc.syscall(0x40000000 | 39), ctypes.get_errno())
''',
}
DURING_A_CASE = '''

def split_heads(x, num_heads):
    i386_getpid()
    return x
'''


def foreign_abi_source(route: str) -> str:
    if route == "int80-during-a-case":
        return attack(FOREIGN_ABI[route]) + DURING_A_CASE  # redefined: the first case makes the call
    return attack(FOREIGN_ABI[route])


@X86_64
@pytest.mark.parametrize("route", sorted(FOREIGN_ABI))
def test_a_system_call_of_another_abi_ends_the_process_at_once(sandboxed, route):
    """A system call through the i386 entry (int 0x80) or with the x32 bit: the filter cannot
    read it by number, so it must end the process, not only the calling thread (which leaves the
    rest of the process waiting for the wall clock). grade() with a 10 s limit returns within
    5 s, an error that names a system call."""
    started = time.monotonic()
    v = sandboxed.grade(SLUG, foreign_abi_source(route), limits={"wall_s": 10, "cpu_s": 5, "memory_mb": 512})
    elapsed = time.monotonic() - started
    assert v.status != "passed", describe(v)
    assert elapsed < 5, (
        f"the verdict waited {elapsed:.1f} s of a 10 s wall clock for a process that lost a thread\n" + describe(v)
    )
    assert v.status == "error", describe(v)
    said = v.summary + "\n" + (v.first_failure.message if v.first_failure else "")
    assert "system call" in said, "the verdict does not say a system call ended the process\n" + describe(v)
    assert_still_grades(sandboxed)


# -- smaller 2: no process of the judge shows where the kata packs are -------------------------------
def pack_paths(catalog) -> list[str]:
    """The built-in packs folder, every pack folder and every kata's folder."""
    paths = {str(BUILTIN_PACKS)} | {str(k.path) for k in catalog} | {str(k.path.parent) for k in catalog}
    return sorted(paths, key=len, reverse=True)


def parents() -> dict[int, int]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            for line in _read(f"/proc/{entry}/status").decode(errors="replace").splitlines():
                if line.startswith("PPid:"):
                    found[int(entry)] = int(line.split()[1])
    return found


def descendants(root: int) -> list[int]:
    """Every process below `root` in the host's process tree (the strict init and its children
    are in a PID namespace of their own, but the host sees them with their host pids)."""
    ppid = parents()
    out = []
    for pid in ppid:
        seen, up = set(), ppid.get(pid)
        while up and up not in seen:
            if up == root:
                out.append(pid)
                break
            seen.add(up)
            up = ppid.get(up)
    return sorted(out)


def test_no_zygote_command_line_shows_the_kata_packs(strict_judge, catalog):
    """A zygote's command line can be read by anyone on the host (and by its own children, which
    inherit it): it must not list the folders of the kata packs, the reference solutions' home.
    Every process of this test's judges whose command line names mlkatas.judge.worker.zygote_main (the boot
    process, the strict init, the children waiting for a job) is checked."""
    strict_judge.grade(SLUG, RIGHT, limits={"wall_s": 10, "cpu_s": 5})
    strict_judge.ready()
    zygotes = {pid: _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace")
               for pid in descendants(os.getpid())}
    zygotes = {pid: line for pid, line in zygotes.items() if "mlkatas.judge.worker.zygote_main" in line}
    assert zygotes, "no zygote of this test's strict judge was found below the test process"
    paths = pack_paths(catalog)
    shown = {pid: [p for p in paths if p in line] for pid, line in zygotes.items()}
    shown = {pid: found for pid, found in shown.items() if found}
    assert shown == {}, ("zygote command lines show kata pack folders: "
                         + "; ".join(f"pid {pid}: {found[:3]}{' ...' if len(found) > 3 else ''}"
                                     for pid, found in shown.items()))


READ_CMDLINES = '''
PATHS = @PATHS@


def look(where, line):
    found = [p for p in PATHS if p in line]
    if found:
        hit(where, found[0])
    else:
        print("read", where, "without a pack path")


# the command line as the interpreter kept it: a forked child inherits the zygote's
look("sys.argv", " ".join(map(str, sys.argv)))
look("sys.orig_argv", " ".join(map(str, getattr(sys, "orig_argv", []))))
# the command lines /proc shows
places = ["/proc/self/cmdline", "/proc/1/cmdline", "/proc/thread-self/cmdline", f"/proc/{os.getppid()}/cmdline"]
try:
    places += [f"/proc/{e}/cmdline" for e in os.listdir("/proc") if e.isdigit()]
except BaseException as exc:
    miss("list /proc", exc)
for place in dict.fromkeys(places):
    try:
        with open(place, "rb") as f:
            look(place, f.read().replace(b"\\0", b" ").decode(errors="replace"))
    except BaseException as exc:
        miss(place, exc)
'''


def test_the_child_reads_no_pack_path_in_a_command_line(sandboxed, catalog):
    """The learner's file reads the command line it inherited from the zygote (Python keeps it in
    sys.argv and sys.orig_argv; /proc/self/cmdline shows it), the init's (/proc/1) and every one
    it can list. None may name a kata pack's folder; refusing to show them is fine."""
    paths = pack_paths(catalog)
    v = sandboxed.grade(SLUG, attack(READ_CMDLINES, PATHS=paths), limits=LIMITS)
    assert_contained(v, leaked=tuple(paths))
    assert_still_grades(sandboxed)
