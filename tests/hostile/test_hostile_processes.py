"""Attacks that start processes, replace the child with another program, or signal other
processes. Every process an attack starts carries a unique marker in its command line or name;
a watcher polls /proc (the host's view) during the grade and records any process that ever had
it, and whatever is left afterwards is killed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ._harness import (
    LIMITS,
    SLUG,
    ProcessWatch,
    assert_contained,
    assert_still_grades,
    attack,
    describe,
    marker,
    process_state,
    reap,
    require_containment,
    wait_gone,
)

# Shared by the attacks: a command that, if it ever runs, is visible from the host with the
# marker in its command line, detaches into its own session and outlives the child.
SPAWN_PRELUDE = '''
import shlex, sys, time
MARK = @MARK@
SLEEPER_CODE = "import os, time\\ntry:\\n    os.setsid()\\nexcept OSError:\\n    pass\\ntime.sleep(20)  # " + MARK
SLEEPER = [sys.executable, "-c", SLEEPER_CODE]
DETACHED = ["/bin/sh", "-c", shlex.join(SLEEPER) + " & echo STARTED"]


def become_marked():
    """In a forked process: carry the marker, leave the child's process group, linger."""
    try:
        with open("/proc/self/comm", "w") as f:
            f.write(MARK)
    except BaseException:
        pass
    try:
        os.setsid()
    except BaseException:
        pass
    time.sleep(20)
    os._exit(0)
'''


def run_watched(judge, body: str, limits=LIMITS, **subs):
    mark = marker()
    try:
        with ProcessWatch(mark) as watch:
            v = judge.grade(SLUG, attack(SPAWN_PRELUDE + body, MARK=mark, **subs), limits=limits)
        lingering = wait_gone(mark, 1.0)
    finally:
        reaped = reap(mark)
    return v, sorted(watch.seen), lingering, reaped


def assert_no_process(v, seen, lingering) -> None:
    assert seen == [], f"a process started by the attack ran: pids {seen}\n" + describe(v)
    assert lingering == [], f"a process started by the attack outlived the grade: pids {lingering}\n" + describe(v)


SUBPROCESS = '''
import subprocess
tries = [
    ("subprocess.Popen", lambda: subprocess.Popen(SLEEPER, start_new_session=True).pid),
    ("subprocess.run", lambda: subprocess.run(["/bin/echo", "EXEC-OK"], capture_output=True).stdout),
    ("os.system", lambda: os.system(shlex.join(DETACHED)) == 0 or None),
    ("os.popen", lambda: os.popen(shlex.join(DETACHED)).read() or None),
    ("os.posix_spawn", lambda: os.posix_spawn(sys.executable, SLEEPER, {})),
    ("os.spawnv", lambda: os.spawnv(os.P_NOWAIT, sys.executable, SLEEPER)),
]
for name, act in tries:
    try:
        result = act()
        if result:
            hit(name, result)
    except BaseException as exc:
        miss(name, exc)
'''


def test_start_programs_with_subprocess_system_popen_and_spawn(sandboxed):
    v, seen, lingering, _ = run_watched(sandboxed, SUBPROCESS)
    assert_contained(v)
    assert_no_process(v, seen, lingering)
    assert_still_grades(sandboxed)


FORK = '''
tries = [("os.fork", os.fork), ("os.forkpty", lambda: os.forkpty()[0])]
for name, act in tries:
    try:
        pid = act()
    except BaseException as exc:
        miss(name, exc)
        continue
    if pid == 0:
        become_marked()
    hit(name, pid)
'''


def test_fork_and_detach_from_the_process_group(sandboxed):
    """A forked process that leaves the child's session would survive the judge's kill of the group."""
    v, seen, lingering, _ = run_watched(sandboxed, FORK)
    assert_contained(v)
    assert_no_process(v, seen, lingering)
    assert_still_grades(sandboxed)


EXEC = '''
try:
    os.execv("/bin/sh", DETACHED)
except BaseException as exc:
    miss("os.execv", exc)
try:
    os.execve(sys.executable, SLEEPER, {})
except BaseException as exc:
    miss("os.execve", exc)
'''


def test_exec_replaces_the_child(sandboxed):
    """execv of a shell that starts a detached process; if exec works the child never reports
    back, so the attack's end marker would be missing too."""
    v, seen, lingering, _ = run_watched(sandboxed, EXEC)
    assert_contained(v)
    assert_no_process(v, seen, lingering)
    assert_still_grades(sandboxed)


CTYPES_SYSCALLS = '''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS = {"fork": 57, "vfork": 58, "clone": 56, "execve": 59, "execveat": 322, "clone3": 435}


def argv_array(items):
    arr = (ctypes.c_char_p * (len(items) + 1))(*[i.encode() for i in items], None)
    return arr


argv, envp = argv_array(DETACHED), argv_array([])
for name, call in [
    ("libc execve", lambda: libc.execve(b"/bin/sh", argv, envp)),
    ("syscall execve", lambda: libc.syscall(SYS["execve"], b"/bin/sh", argv, envp)),
    ("syscall execveat", lambda: libc.syscall(SYS["execveat"], -100, b"/bin/sh", argv, envp, 0)),
]:
    result = call()
    miss(name, OSError(ctypes.get_errno(), f"returned {result}: {os.strerror(ctypes.get_errno())}"))


class CloneArgs(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint64) for n in ("flags", "pidfd", "child_tid", "parent_tid", "exit_signal",
                                               "stack", "stack_size", "tls")]


clone_args = CloneArgs(exit_signal=17)
for name, call in [
    ("syscall fork", lambda: libc.syscall(SYS["fork"])),
    ("syscall clone", lambda: libc.syscall(SYS["clone"], 17, 0, 0, 0, 0)),  # flags=SIGCHLD: a fork
    ("syscall clone3", lambda: libc.syscall(SYS["clone3"], ctypes.byref(clone_args), ctypes.sizeof(clone_args))),
]:
    pid = call()
    if pid == 0:
        become_marked()
    if pid > 0:
        hit(name, pid)
    else:
        miss(name, OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno())))
'''


def test_exec_and_fork_through_ctypes_raw_syscalls(sandboxed):
    """libc execve, and raw syscall numbers for execve, execveat, fork, clone and clone3: the
    filter must work on syscalls, not on Python's os module."""
    v, seen, lingering, _ = run_watched(sandboxed, CTYPES_SYSCALLS)
    assert_contained(v)
    assert_no_process(v, seen, lingering)
    assert_still_grades(sandboxed)


MULTIPROCESSING = '''
import multiprocessing, concurrent.futures
for method in ("fork", "forkserver", "spawn"):
    try:
        p = multiprocessing.get_context(method).Process(target=become_marked, daemon=False)
        p.start()
        hit("multiprocessing " + method, p.pid)
    except BaseException as exc:
        miss("multiprocessing " + method, exc)
try:
    pool = concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
    hit("ProcessPoolExecutor", pool.submit(os.getpid).result(timeout=2))
except BaseException as exc:
    miss("ProcessPoolExecutor", exc)
'''


def test_multiprocessing_and_process_pools(sandboxed):
    v, seen, lingering, _ = run_watched(sandboxed, MULTIPROCESSING, limits={"wall_s": 6, "cpu_s": 4, "memory_mb": 512})
    assert_contained(v)
    assert_no_process(v, seen, lingering)
    assert_still_grades(sandboxed)


FORK_BOMB = '''
started, forked = 0, False
try:
    for _ in range(10):  # every process forks again: 2**10 processes if fork worked
        if os.fork() == 0:
            forked = True
            try:
                with open("/proc/self/comm", "w") as f:
                    f.write(MARK)
            except BaseException:
                pass
        else:
            started += 1
except BaseException as exc:
    miss("fork bomb", exc)
if forked:  # a bomb's offspring lingers and never reaches the judge's code
    time.sleep(2)
    os._exit(0)
if started:
    hit("fork bomb", started)
'''


def test_fork_bomb(strict_judge, strict_facts):
    """Only run where the preflight showed fork is refused and the child has its own PID namespace."""
    require_containment(strict_facts, no_fork=True)
    v, seen, lingering, _ = run_watched(strict_judge, FORK_BOMB)
    assert v.status != "passed", describe(v)
    assert_no_process(v, seen, lingering)
    assert_still_grades(strict_judge)


@pytest.fixture
def bystander():
    """A process of the test's that attacks must not be able to signal."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    yield proc
    proc.kill()
    proc.wait()


def assert_alive(proc) -> None:
    assert proc.poll() is None, f"the bystander process was killed ({proc.returncode})"
    assert process_state(proc.pid) not in ("T", "t", None), (
        f"the bystander process was stopped ({process_state(proc.pid)})"
    )


KILL_PARENT = '''
for sig in (signal.SIGSTOP, signal.SIGKILL):
    for name, act in [("kill(getppid)", lambda: os.kill(os.getppid(), sig)),
                      ("killpg(getpgid(getppid))", lambda: os.killpg(os.getpgid(os.getppid()), sig))]:
        try:
            if os.getppid() > 1:
                act()
                print(f"sent {sig!r} to the parent with {name}")
        except BaseException as exc:
            miss(name, exc)
'''


def test_kill_the_parent(judge, bystander):
    """Stop then kill the zygote (the child's parent). In local mode this may cost a restart of
    the zygote: the verdict is an error, and the next submission is graded normally."""
    v = judge.grade(SLUG, attack(KILL_PARENT), limits=LIMITS)
    assert v.status in ("failed", "error"), describe(v)
    assert_alive(bystander)
    assert_still_grades(judge)


KILL_EVERYTHING = '''
for sig in (signal.SIGSTOP, signal.SIGKILL):
    try:
        os.kill(-1, sig)
        print(f"kill(-1, {sig!r}) returned")
    except BaseException as exc:
        miss("kill(-1)", exc)
'''


def test_kill_every_process(strict_judge, strict_facts, bystander):
    """kill(-1, SIGSTOP) then kill(-1, SIGKILL): as root, outside a PID namespace, this would stop
    and kill everything on the machine. Only run where the preflight showed a PID namespace."""
    require_containment(strict_facts)
    v = strict_judge.grade(SLUG, attack(KILL_EVERYTHING), limits=LIMITS)
    assert v.status in ("failed", "error"), describe(v)
    assert_alive(bystander)
    assert_still_grades(strict_judge)


KILL_ALL_VISIBLE = '''
import ctypes, signal
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
me = os.getpid()
targets = []
pid = me
for _ in range(8):  # ancestors first: the zygote, the judge, the test runner
    try:
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    except BaseException:
        break
    if pid <= 0:
        break
    targets.append(pid)
try:
    targets += [int(e) for e in os.listdir("/proc") if e.isdigit()]
except BaseException as exc:
    miss("list /proc", exc)
targets += list(range(1, 400)) + @EXTRA@
targets = [t for t in dict.fromkeys(targets) if t != me]
killed = 0
for sig in (signal.SIGSTOP, signal.SIGKILL):
    for t in targets:
        for how in (lambda: os.kill(t, sig), lambda: os.killpg(t, sig)):
            try:
                how()
                killed += 1
            except BaseException:
                pass
        fd = libc.syscall(434, t, 0)  # pidfd_open, then pidfd_send_signal
        if fd >= 0:
            libc.syscall(424, fd, sig, None, 0)
print("signals delivered:", killed)
'''


def test_kill_the_judge_and_every_visible_process(strict_judge, strict_facts, bystander):
    """SIGSTOP then SIGKILL to every ancestor, every visible pid, every pid up to 400, the test
    runner's and the bystander's real pids, as processes and as groups, and through pidfds."""
    require_containment(strict_facts)
    extra = [os.getpid(), os.getppid(), bystander.pid]
    v = strict_judge.grade(SLUG, attack(KILL_ALL_VISIBLE, EXTRA=extra), limits=LIMITS)
    assert v.status in ("failed", "error"), describe(v)
    assert_alive(bystander)
    assert_still_grades(strict_judge)
