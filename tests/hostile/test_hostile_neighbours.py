"""Attacks on the next learner: what one submission can do to the submissions graded after it.

A strict zygote forks and sandboxes the next child while the current job runs, so during every
job there is another learner's process-to-be waiting for its job, with its own scratch folder.
No child may affect any process but itself (its limits, priority, scheduling, CPUs, I/O
priority), and a child sees its own scratch folder only: nothing one submission does may change
how the next one runs, or pass it a message.

Each test grades a "victim" (a correct solution that reports what it can see of its own process
or scratch folder) once before the attack, as a fresh child sees things, then the attack, then
the victim twice more: the zygote keeps two children ready, the one that waited for its job
while the attack ran and the one forked after it. The victim must pass each time and report
exactly what it reported before the attack.

These run against a strict judge of their own with a single zygote: with two, the pool may hand
the attack and the next victim to different zygotes, and the test would prove nothing.
"""

from __future__ import annotations

import json
import platform
import secrets
import time
from dataclasses import dataclass

import pytest

from mlkatas.judge import Judge

from ._harness import LIMITS, SLUG, assert_contained, assert_still_grades, attack, describe, require_containment


@dataclass
class Bench:
    judge: Judge
    started: float  # wall-clock time before the judge started: no child of it is older


@pytest.fixture(scope="module")
def bench(catalog) -> Bench:
    started = time.time()
    with Judge(sandbox="strict", catalog=catalog, workers=1) as judge:
        yield Bench(judge, started)


def reported(v, tag: str) -> dict | None:
    """The JSON a victim printed after `tag`, None if it printed none."""
    for line in v.output.splitlines():
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1:])
    return None


def grade_around(judge: Judge, victim: str, source: str) -> tuple:
    """The victim graded on a fresh child, the attack, then the victim twice more (the two
    children ready after the attack: one of them waited through it)."""
    before = judge.grade(SLUG, victim, limits=LIMITS)
    v = judge.grade(SLUG, source, limits=LIMITS)
    after = [judge.grade(SLUG, victim, limits=LIMITS) for _ in range(2)]
    return before, v, after


# -- class 1: a submission changes the next submission's process ----------------------------------
# System call numbers (x86_64, aarch64) for what the os module does not offer.
SYSCALLS = {
    "x86_64": {"prlimit64": 302, "sched_setattr": 314, "ioprio_set": 251, "ioprio_get": 252, "setpriority": 141,
               "sched_setaffinity": 203, "sched_setscheduler": 144, "sched_setparam": 142, "tgkill": 234},
    "aarch64": {"prlimit64": 261, "sched_setattr": 274, "ioprio_set": 30, "ioprio_get": 31, "setpriority": 140,
                "sched_setaffinity": 122, "sched_setscheduler": 119, "sched_setparam": 118, "tgkill": 131},
}

PROCESS_FACTS = "PROCESS-FACTS"


def require_syscall_numbers() -> None:
    """Fail (never skip) where the attacks would not know the numbers: they would prove nothing."""
    if platform.machine() not in SYSCALLS:
        pytest.fail(f"no system call numbers for {platform.machine()}: add them to SYSCALLS")

# A correct solution that reports the limits, priority and scheduling it runs under.
PROCESS_VICTIM = '''
import ctypes, json, os, resource
from einops import rearrange

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS = @SYSCALLS@.get(os.uname().machine, {})
facts = {name: list(resource.getrlimit(getattr(resource, name)))
         for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_FSIZE")}
facts["nice"] = os.getpriority(os.PRIO_PROCESS, 0)
facts["scheduler"] = os.sched_getscheduler(0)
facts["affinity"] = sorted(os.sched_getaffinity(0))
facts["ioprio"] = libc.syscall(SYS["ioprio_get"], 1, 0) if SYS else None  # IOPRIO_WHO_PROCESS, itself
print(@TAG@ + " " + json.dumps(facts, sort_keys=True))


def split_heads(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
'''.replace("@SYSCALLS@", repr(SYSCALLS)).replace("@TAG@", repr(PROCESS_FACTS))

# Every other process the child can name: pids 1..300 (the zygote's PID namespace numbers its
# children in order), except this process and its own threads (whose ids are pids too).
OTHER_PIDS = '''
import collections, ctypes, threading
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS = @SYSCALLS@.get(os.uname().machine, {})
ME = os.getpid()
MINE = {ME} | {t.native_id for t in threading.enumerate() if t is not threading.main_thread()}
REFUSED = collections.Counter()


def mine(pid):
    """A thread of this process: tgkill(own pid, tid, 0) finds it."""
    return pid in MINE or bool(SYS) and libc.syscall(SYS["tgkill"], ME, pid, 0) == 0


def others():
    return [pid for pid in range(1, 301) if not mine(pid)]


def on_other(name, pid, act):
    """`act` changes process `pid`: a success is an escape."""
    try:
        act()
    except BaseException as exc:
        REFUSED[f"{name}: {type(exc).__name__}"] += 1
        return
    hit(f"{name} on pid {pid}", "the call succeeded")


def raw_on_other(name, pid, *args):
    """The same through a raw system call (0 on success, -1 and errno on failure)."""
    if not SYS:
        return
    if libc.syscall(SYS[name], *args) == 0:
        hit(f"raw {name} on pid {pid}", "the call succeeded")
    else:
        REFUSED[f"raw {name}: {os.strerror(ctypes.get_errno())}"] += 1
'''.replace("@SYSCALLS@", repr(SYSCALLS))

STDLIB_ROUTES = OTHER_PIDS + '''
import resource
MB = 2**20
CRUSHING = {resource.RLIMIT_AS: 64 * MB, resource.RLIMIT_CPU: 1, resource.RLIMIT_NOFILE: 8,
            resource.RLIMIT_NPROC: 1, resource.RLIMIT_FSIZE: 0}
one_cpu = {min(os.sched_getaffinity(0))}
for pid in others():
    for which, value in CRUSHING.items():
        on_other(f"resource.prlimit {which}", pid, lambda: resource.prlimit(pid, which, (value, value)))
    on_other("os.setpriority PRIO_PROCESS", pid, lambda: os.setpriority(os.PRIO_PROCESS, pid, 19))
    on_other("os.setpriority PRIO_PGRP", pid, lambda: os.setpriority(os.PRIO_PGRP, pid, 19))
    on_other("os.sched_setaffinity", pid, lambda: os.sched_setaffinity(pid, one_cpu))
    on_other("os.sched_setscheduler SCHED_IDLE", pid,
             lambda: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0)))
    on_other("os.sched_setparam", pid, lambda: os.sched_setparam(pid, os.sched_param(0)))
try:  # every process of this uid at once (this one too: only its victims show whether it reached them)
    os.setpriority(os.PRIO_USER, os.getuid(), 19)
except BaseException as exc:
    miss("os.setpriority PRIO_USER", exc)
print("refused:", dict(REFUSED))
'''


def test_limit_and_deprioritise_the_next_child_through_the_os_module(bench, strict_facts):
    """resource.prlimit lowers every other process's address space to 64 MB, its CPU time to
    1 s, its open files to 8, its processes to 1 and its file size to 0; os.setpriority makes it
    nice 19 (by pid and by process group, then every process of the sandbox uid at once),
    os.sched_setaffinity pins it to one CPU, os.sched_setscheduler makes it SCHED_IDLE. The
    child waiting for the next job is of the same uid, in the same PID namespace, a few pids
    on: if these calls reach it, the next learner's correct answer fails for nothing it did."""
    require_containment(strict_facts)  # as root on the host these calls would reach every process
    require_syscall_numbers()  # to tell its own threads from other processes
    before, v, after = grade_around(bench.judge, PROCESS_VICTIM, attack(STDLIB_ROUTES))
    assert_next_process_unharmed(before, after)
    assert_contained(v)
    assert_still_grades(bench.judge)


RAW_ROUTES = OTHER_PIDS + '''
MB = 2**20


class RLimit64(ctypes.Structure):
    _fields_ = [("cur", ctypes.c_uint64), ("max", ctypes.c_uint64)]


class SchedAttr(ctypes.Structure):
    _fields_ = [("size", ctypes.c_uint32), ("policy", ctypes.c_uint32), ("flags", ctypes.c_uint64),
                ("nice", ctypes.c_int32), ("priority", ctypes.c_uint32), ("runtime", ctypes.c_uint64),
                ("deadline", ctypes.c_uint64), ("period", ctypes.c_uint64)]


# Quietly smaller: the next learner's correct answer still passes, under limits it was not given.
SHRUNK = {9: 1024 * MB, 0: 1, 7: 32, 6: 64, 1: MB}  # RLIMIT_AS, _CPU, _NOFILE, _NPROC, _FSIZE
SCHED_BATCH, SCHED_IDLE = 3, 5
batch = SchedAttr(size=ctypes.sizeof(SchedAttr), policy=SCHED_BATCH, nice=10)
param = ctypes.c_int(0)
mask = ctypes.c_uint64(1 << min(os.sched_getaffinity(0)))
IDLE_IO = (3 << 13) | 7  # IOPRIO_CLASS_IDLE
for pid in others():
    for resource_id, value in SHRUNK.items():
        limit = RLimit64(value, value)
        raw_on_other("prlimit64", pid, pid, resource_id, ctypes.byref(limit), None)
    raw_on_other("sched_setattr", pid, pid, ctypes.byref(batch), 0)
    raw_on_other("sched_setscheduler", pid, pid, SCHED_BATCH, ctypes.byref(param))
    raw_on_other("sched_setparam", pid, pid, ctypes.byref(param))
    raw_on_other("setpriority", pid, 0, pid, 10)  # PRIO_PROCESS
    raw_on_other("setpriority", pid, 1, pid, 10)  # PRIO_PGRP
    raw_on_other("sched_setaffinity", pid, pid, ctypes.sizeof(mask), ctypes.byref(mask))
    raw_on_other("ioprio_set", pid, 1, pid, IDLE_IO)  # IOPRIO_WHO_PROCESS
    raw_on_other("ioprio_set", pid, 2, pid, IDLE_IO)  # IOPRIO_WHO_PGRP
if SYS and libc.syscall(SYS["ioprio_set"], 3, os.getuid(), IDLE_IO) != 0:  # IOPRIO_WHO_USER: this uid, this process too
    miss("ioprio_set IOPRIO_WHO_USER", OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno())))
print("system calls known here:", bool(SYS), "refused:", dict(REFUSED))
'''


def test_limit_and_deprioritise_the_next_child_through_raw_system_calls(bench, strict_facts):
    """The same through ctypes and raw system call numbers, quietly this time: prlimit64 shrinks
    the next child's limits just enough that a correct answer still passes under limits it was
    not given, sched_setattr and sched_setscheduler make it SCHED_BATCH at nice 10,
    setpriority renices it by pid and group, sched_setaffinity pins it, ioprio_set gives it idle
    I/O by pid, by group and for the whole uid. The next learner must run under exactly the
    limits and priority a fresh child has."""
    require_containment(strict_facts)
    require_syscall_numbers()
    before, v, after = grade_around(bench.judge, PROCESS_VICTIM, attack(RAW_ROUTES))
    assert_next_process_unharmed(before, after)
    assert_contained(v)
    assert_still_grades(bench.judge)


def assert_next_process_unharmed(before, after) -> None:
    expected = reported(before, PROCESS_FACTS)
    assert before.status == "passed" and expected is not None, (
        "the victim does not pass on a fresh child\n" + describe(before)
    )
    for n, v in enumerate(after, 1):
        assert v.status == "passed", (f"the correct solution graded {n} after the attack did not pass: "
                                      f"the attack reached its process\nbefore the attack it ran under {expected}\n"
                                      + describe(v))
        got = reported(v, PROCESS_FACTS)
        assert got == expected, (f"the correct solution graded {n} after the attack ran under other limits or "
                                 f"scheduling: the attack reached its process\nbefore: {expected}\nafter:  {got}\n"
                                 + describe(v))


# -- class 2: the next child's scratch folder -----------------------------------------------------
# Other children's scratch folders by the names the judge gives them: /scratch/<n>, n counted per
# child (own = the name of the working directory), and the same numbers beside the own folder in
# case it lives elsewhere. Anything that is the child's own folder under another name is skipped.
NEIGHBOUR_FOLDERS = '''
HERE = os.getcwd()
OWN = os.path.basename(HERE)
OWN_ID = (os.stat(HERE).st_dev, os.stat(HERE).st_ino)
NUMBERS = range(max(0, int(OWN) - 20), int(OWN) + 21) if OWN.isdigit() else range(0, 301)


def neighbours():
    paths = dict.fromkeys(
        f"{base}/{k}" for base in ("/scratch", os.path.dirname(HERE)) for k in NUMBERS if str(k) != OWN
    )
    found = []
    for path in paths:
        try:
            st = os.stat(path)
            if (st.st_dev, st.st_ino) == OWN_ID:
                continue
        except OSError:
            pass
        found.append(path)
    return found
'''

REACH_SCRATCH = NEIGHBOUR_FOLDERS + '''
import collections
refused = collections.Counter()


def o_path(p):
    os.close(os.open(p, os.O_PATH | os.O_DIRECTORY))


def access(p):
    if not os.access(p, os.F_OK):
        raise FileNotFoundError(p)


routes = [
    ("stat", os.stat),
    ("lstat", os.lstat),
    ("open O_PATH", o_path),
    ("access", access),
    ("listdir", os.listdir),
    ("chmod", lambda p: os.chmod(p, 0o700)),  # the mode it has: seen only in whether it works
    ("chown", lambda p: os.chown(p, os.getuid(), os.getgid())),
    ("utime", lambda p: os.utime(p)),
    ("setxattr", lambda p: os.setxattr(p, "user.mlkatas-neighbour", b"was here")),
    ("listxattr", os.listxattr),
    ("getxattr", lambda p: os.getxattr(p, "user.mlkatas-neighbour")),
    ("removexattr", lambda p: os.removexattr(p, "user.mlkatas-neighbour")),
]
for path in neighbours():
    for name, act in routes:
        try:
            act(path)
        except BaseException as exc:
            refused[f"{name}: {type(exc).__name__}"] += 1
            continue
        hit(f"{name} {path}", "another child's scratch folder")
print("own scratch:", HERE, "refused:", dict(refused))
'''


def test_other_childrens_scratch_folders_are_out_of_reach(bench):
    """stat, lstat, open(O_PATH), access, listdir, chmod, chown, utime and the user.* xattr calls
    on /scratch/<n> for every n around the child's own number. The next child's folder is a
    tmpfs of the same uid, and Landlock governs none of stat, chmod, chown, utime or xattrs: each
    success, seeing the folder included, is a reach into another learner's folder."""
    v = bench.judge.grade(SLUG, attack(REACH_SCRATCH), limits=LIMITS)
    assert_contained(v)
    assert_still_grades(bench.judge)


SCRATCH_REPORT = "SCRATCH-REPORT"

# A correct solution that reports what is on its own scratch folder.
SCRATCH_VICTIM = '''
import json, os
from einops import rearrange

here = os.getcwd()
st = os.stat(here)
try:
    xattrs = {name: os.getxattr(here, name).decode("latin-1") for name in sorted(os.listxattr(here))}
except OSError as exc:
    xattrs = f"unreadable ({os.strerror(exc.errno)})"
report = {"entries": sorted(os.listdir(here)), "mode": oct(st.st_mode & 0o7777), "xattrs": xattrs,
          "mtime": st.st_mtime, "atime": st.st_atime}
print(@TAG@ + " " + json.dumps(report, sort_keys=True))


def split_heads(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
'''.replace("@TAG@", repr(SCRATCH_REPORT))

MESSAGE_STAMP = 1_000_000_007  # September 2001: long before any child of a judge under test

LEAVE_MESSAGE = NEIGHBOUR_FOLDERS + '''
message = @MESSAGE@
stamp = @STAMP@
for path in neighbours():
    for name, act in [
        ("setxattr", lambda: os.setxattr(path, "user.mlkatas-message", message.encode())),
        ("setxattr 2", lambda: os.setxattr(path, "user.reply-to", b"scratch " + OWN.encode())),
        ("chmod", lambda: os.chmod(path, 0o751)),  # the mode bits as a message (the owner keeps rwx)
        ("utime", lambda: os.utime(path, (stamp, stamp + 1))),  # a message in each timestamp
    ]:
        try:
            act()
        except BaseException as exc:
            continue
        hit(f"left a message on {path} ({name})")
'''


def test_scratch_folders_are_no_message_box(bench):
    """Submission A leaves a message on the next children's scratch folders by every route it
    has: user.* xattrs, mode bits, access and modification times. Submission B, graded right
    after (twice: two children were ready), reports what is on its own scratch folder: it must
    find what a fresh child finds (no xattr, the same entries and mode, times of its own making,
    not A's). Otherwise two submissions (two learners, or one learner's two accounts) talk past
    the sandbox."""
    message = "msg" + secrets.token_hex(8)
    before, v, after = grade_around(
        bench.judge, SCRATCH_VICTIM, attack(LEAVE_MESSAGE, MESSAGE=message, STAMP=MESSAGE_STAMP)
    )
    fresh = reported(before, SCRATCH_REPORT)
    assert before.status == "passed" and fresh is not None, (
        "the victim does not pass on a fresh child\n" + describe(before)
    )
    for n, b in enumerate(after, 1):
        got = reported(b, SCRATCH_REPORT)
        assert b.status == "passed" and got is not None, f"submission B ({n}) did not pass\n" + describe(b)
        assert message not in b.output, (
            f"submission B ({n}) found A's message on its scratch folder: {got}\n" + describe(b)
        )
        seen = {key: got[key] for key in ("entries", "mode", "xattrs")}
        assert seen == {key: fresh[key] for key in seen}, (
            f"submission B ({n}) found its scratch folder changed by A"
            f"\nfresh child: {fresh}\nafter A:     {got}\n" + describe(b)
        )
        for key in ("mtime", "atime"):
            assert bench.started - 1 <= got[key] <= time.time() + 1, (
                f"submission B ({n}) found a {key} on its scratch folder that no child of this judge made "
                f"({got[key]}): A's message\nfresh child: {fresh}\nafter A:     {got}\n" + describe(b))
    assert_contained(v)
    assert_still_grades(bench.judge)


LOCK_OUT = NEIGHBOUR_FOLDERS + '''
for path in neighbours():
    for name, mode in (("chmod 0o500", 0o500), ("chmod 0o000", 0o000)):
        try:
            os.chmod(path, mode)
        except BaseException:
            continue
        hit(f"{name} {path}", "another child's scratch folder")
'''

# A correct solution that keeps a note in its scratch folder (the one place it may write).
WRITES_SCRATCH = '''
import os, tempfile
from einops import rearrange

with tempfile.NamedTemporaryFile("w+", prefix="notes-") as notes:
    notes.write("heads first")
    notes.flush()
    notes.seek(0)
    print("SCRATCH-" + "WRITABLE", notes.read())


def split_heads(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
'''


def test_the_next_scratch_folder_cannot_be_locked(bench):
    """A chmods the next children's scratch folders read-only, then to mode 0: the next
    learner's correct answer, which keeps a note in its scratch folder, would fail to load
    for nothing it did. It passes, twice, and can write its note."""
    before, v, after = grade_around(bench.judge, WRITES_SCRATCH, attack(LOCK_OUT))
    assert before.status == "passed" and "SCRATCH-WRITABLE" in before.output, (
        "the victim does not pass on a fresh child\n" + describe(before))
    for n, b in enumerate(after, 1):
        assert b.status == "passed" and "SCRATCH-WRITABLE heads first" in b.output, (
            f"the correct solution graded {n} after the attack could not use its scratch folder\n" + describe(b))
    assert_contained(v)
    assert_still_grades(bench.judge)
