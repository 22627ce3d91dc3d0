"""Thin ctypes wrappers for the Linux calls the strict sandbox needs and Python 3.11 lacks.

Standard library only, so the probe can import it without torch. Every wrapper raises OSError
with the errno the kernel gave, so callers can say which layer failed and why.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import signal

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_THREAD = 0x00010000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_GET_SECCOMP = 21
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36

# System call numbers glibc has no wrapper for (the same on both 64-bit architectures for Landlock).
_SYSCALLS = {
    "x86_64": {"pivot_root": 155, "seccomp": 317, "landlock_create_ruleset": 444, "landlock_add_rule": 445,
               "landlock_restrict_self": 446},
    "aarch64": {"pivot_root": 41, "seccomp": 277, "landlock_create_ruleset": 444, "landlock_add_rule": 445,
                "landlock_restrict_self": 446},
}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def syscall_number(name: str) -> int:
    table = _SYSCALLS.get(platform.machine())
    if table is None:
        raise OSError(errno.ENOSYS, f"no system call table for the {platform.machine()} architecture")
    return table[name]


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def syscall(name: str, *args: object) -> int:
    return _check(_libc.syscall(syscall_number(name), *args), name)


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    enc = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    result = _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data))
    _check(result, f"mount {target}")


def bind_readonly(source: str, target: str) -> None:
    """A read-only, nosuid, nodev view of `source` at `target` (a bind mount is made writable
    first, then remounted read-only: the kernel ignores MS_RDONLY on the first call)."""
    mount(source, target, None, MS_BIND | MS_REC)
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def umount(target: str, flags: int = 0) -> None:
    _check(_libc.umount2(os.fsencode(target), ctypes.c_int(flags)), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    syscall("pivot_root", os.fsencode(new_root), os.fsencode(put_old))


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    result = _libc.prctl(
        ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(arg4), ctypes.c_ulong(arg5)
    )
    return _check(result, f"prctl({option})")


def set_no_new_privs() -> None:
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def set_dumpable(value: bool) -> None:
    prctl(PR_SET_DUMPABLE, int(value))


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_LINUX_CAPABILITY_VERSION_3 = 0x20080522


def drop_capabilities() -> None:
    """Empty the bounding, permitted, effective and inheritable sets of this process."""
    for cap in range(64):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno == errno.EINVAL:  # past the last capability this kernel knows
                break
            if exc.errno == errno.EPERM:  # no CAP_SETPCAP: nothing to drop from the bounding set
                break
            raise
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def write_id_maps(inside_uid: int, outside_uid: int, inside_gid: int, outside_gid: int, pid: str = "self") -> None:
    """Map one uid and one gid into a user namespace just created with unshare(CLONE_NEWUSER)."""
    with open(f"/proc/{pid}/setgroups", "w") as f:
        f.write("deny")
    with open(f"/proc/{pid}/uid_map", "w") as f:
        f.write(f"{inside_uid} {outside_uid} 1")
    with open(f"/proc/{pid}/gid_map", "w") as f:
        f.write(f"{inside_gid} {outside_gid} 1")


def sethostname(name: str) -> None:
    raw = name.encode()
    _check(_libc.sethostname(raw, ctypes.c_size_t(len(raw))), "sethostname")


MADV_COLLAPSE = 25  # Linux 6.1
HUGE_PAGE = 2 << 20
_libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def collapse_anonymous_memory() -> int:
    """Back this process's anonymous memory with 2 MB pages where the kernel can (MADV_COLLAPSE).
    A fork then copies one entry per 2 MB instead of 512, and so does the exit: for a zygote
    holding torch (~150 MB of heap) that halves what each child costs before it runs any code.
    Returns the number of huge pages made; 0 on kernels without MADV_COLLAPSE (a speed-up only)."""
    made = 0
    for start, end in anonymous_regions():
        first, last = -(-start // HUGE_PAGE) * HUGE_PAGE, end // HUGE_PAGE * HUGE_PAGE
        if last > first and _libc.madvise(first, last - first, MADV_COLLAPSE) == 0:
            made += (last - first) // HUGE_PAGE
    return made


def anonymous_regions() -> list[tuple[int, int]]:
    """(start, end) of this process's private, writable, anonymous memory (the heap included):
    what a fork shares copy-on-write. File mappings stay the page cache's."""
    regions = []
    with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
        for line in maps:
            fields = line.split()
            perms, name = fields[1], fields[5] if len(fields) > 5 else ""
            if perms[1] == "w" and perms[3] == "p" and name in ("", "[heap]"):
                start, end = (int(x, 16) for x in fields[0].split("-"))
                regions.append((start, end))
    return regions


MADV_POPULATE_WRITE = 23  # Linux 5.14
PAGE = os.sysconf("SC_PAGE_SIZE")


def private_pages() -> set[int]:
    """Addresses of the pages of private anonymous memory this process holds a copy of its own
    (after a fork: the ones it has written), from /proc/self/pagemap: present (bit 63) and
    exclusively mapped (bit 56). Empty where pagemap cannot be read."""
    pages: set[int] = set()
    try:
        regions = anonymous_regions()
        with open("/proc/self/pagemap", "rb") as pagemap:
            for start, end in regions:
                pagemap.seek(start // PAGE * 8)
                entries = memoryview(pagemap.read((end - start) // PAGE * 8)).cast("Q")
                pages.update(start + i * PAGE for i, e in enumerate(entries) if e >> 63 and (e >> 56) & 1)
    except OSError:
        return set()
    return pages


def page_runs(pages: set[int]) -> list[tuple[int, int]]:
    """Sorted pages as (start, length) runs of contiguous memory."""
    runs: list[tuple[int, int]] = []
    for page in sorted(pages):
        if runs and runs[-1][0] + runs[-1][1] == page:
            runs[-1] = (runs[-1][0], runs[-1][1] + PAGE)
        else:
            runs.append((page, PAGE))
    return runs


def populate_write(runs: list[tuple[int, int]]) -> None:
    """Make this process's own copy of these pages now, as a write would, without writing
    (MADV_POPULATE_WRITE): a forked child pays its copy-on-write faults before it is given a job
    instead of during it. Pages no longer mapped, and kernels before 5.14, are skipped."""
    for start, length in runs:
        _libc.madvise(start, length, MADV_POPULATE_WRITE)


def become_subreaper() -> bool:
    """Orphans of this process's descendants are reparented to it instead of to the system's
    init, so it can find (and kill) whatever a child left running. False where unsupported."""
    try:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        return True
    except (OSError, AttributeError):
        return False


def proc_is_ours() -> bool:
    """Whether /proc shows this process's PID namespace (it may be the host's, or missing)."""
    try:
        return os.readlink("/proc/self") == str(os.getpid())
    except OSError:
        return False


def descendants(root: int) -> list[int]:
    """Every process below `root` (zombies included), from /proc: through each task's `children`
    list where the kernel has one (a few reads, however busy the machine), else from every
    process's parent. Empty where /proc is not this PID namespace's."""
    if not proc_is_ours():
        return []
    if not os.path.exists(f"/proc/self/task/{os.getpid()}/children"):
        return _descendants_by_scan(root)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue  # gone meanwhile
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children", "rb") as listing:
                    kids = [int(k) for k in listing.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def _descendants_by_scan(root: int) -> list[int]:
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []
    children: dict[int, list[int]] = {}
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for pid in children.get(todo.pop(), ()):
            found.append(pid)
            todo.append(pid)
    return found


def kill_descendants(keep: set[int] = frozenset(), rounds: int = 5) -> set[int]:
    """SIGKILL every descendant of this process but those in `keep` (and their own descendants),
    again until none is left (one may fork while the others die). Returns the pids killed; the
    caller reaps them."""
    killed: set[int] = set()
    me = os.getpid()
    if me == 1 and not keep and not proc_is_ours():  # a PID namespace's init that cannot look: all of it
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        return killed
    for _ in range(rounds):
        spared = {p for k in keep for p in descendants(k)} | set(keep) | killed  # killed once is enough
        targets = [p for p in descendants(me) if p not in spared]
        if not targets:
            break
        for pid in targets:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except OSError:
                pass
    return killed


def pidfd_kill(pidfd: int) -> None:
    """SIGKILL through a pidfd (it names one process, even in another PID namespace, and never
    a reused pid); a no-op once the process is gone."""
    try:
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except OSError:
        pass


def kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
