"""seccomp: the system calls a sandboxed child may not make, as a filter the kernel enforces.

The filter allows by default and refuses a list: new processes and exec, new sockets, looking
into, signalling, limiting or rescheduling other processes, memory the address-space limit does
not count (memfd, System V and POSIX IPC), namespaces and mounts, and kernel interfaces a tensor
kata never needs; a call through another architecture's entry kills the process. Threads stay
allowed (clone with CLONE_THREAD); clone3 answers ENOSYS so glibc falls back to clone, whose
flags the filter can read. Built with pyseccomp over the system's libseccomp, which must be
imported in the zygote before any sandbox (it looks the library up with a subprocess).
"""

from __future__ import annotations

import ctypes
import errno
import struct
import tempfile

from mlkatas.judge.sandbox import linux

# Refused with EPERM.
DENIED = (
    # new processes and programs
    "fork", "vfork", "execve", "execveat",
    # network and local sockets (the result socket exists before the filter)
    "socket", "socketpair",
    # other processes' memory, descriptors and state
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "process_madvise", "process_mrelease", "tkill",
    # memory that RLIMIT_AS does not count: memory-backed files, System V and POSIX IPC
    "memfd_create", "memfd_secret", "shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv",
    "msgctl", "semget", "semop", "semtimedop", "semctl", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedreceive", "mq_notify", "mq_getsetattr",
    # namespaces and mounts
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    # kernel interfaces
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
    "iopl", "ioperm", "lookup_dcookie", "name_to_handle_at", "open_by_handle_at", "vhangup", "uselib",
    "nfsservctl", "fanotify_init", "mknod", "mknodat", "personality",
)
# Signals only to itself: the first argument must be this process's own pid.
SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
# Limits, priority, scheduling and memory placement of a process: only the caller's own, named as
# pid 0 (what glibc and Python pass for "myself"). The kernel lets a process change these for any
# process of the same user: without this, a submission could starve or cripple the next child.
SELF_AS_ZERO = ("prlimit64", "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr",
                "migrate_pages", "move_pages")
PRIO_PROCESS = 0  # setpriority(which, who, ...): one process, `who`
IOPRIO_WHO_PROCESS = 1  # ioprio_set(which, who, ...): the same
TIOCSTI = 0x5412  # pushes characters into a terminal's input


def import_backend():
    """pyseccomp, imported (and libseccomp found) now, before any sandbox; ImportError or
    RuntimeError when it is not installed or the library is missing."""
    import pyseccomp

    return pyseccomp


def build(own_pid: int):
    """The filter, not loaded yet."""
    sc = import_backend()
    flt = sc.SyscallFilter(sc.ALLOW)
    # A call through another architecture's entry (x86-64's 32-bit `int 0x80`) is not described
    # by this filter at all: kill the whole process at once (the default kills only the calling
    # thread, and the verdict would wait out the wall clock).
    flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    try:  # a binary tree of system call numbers: every allowed call (most of them) is checked in a
        flt.set_attr(sc.Attr.CTL_OPTIMIZE, 2)  # few steps instead of walking the whole deny list
    except OSError:
        pass  # libseccomp before 2.5: the linear filter, same rules

    def rule(action: int, name: str, *args) -> None:
        try:
            flt.add_rule(action, name, *args)
        except (OSError, ValueError, RuntimeError):
            pass  # a name this libseccomp does not know: the kernel has no such call to refuse

    deny = sc.ERRNO(errno.EPERM)
    for name in DENIED:
        rule(deny, name)
    rule(sc.ERRNO(errno.ENOSYS), "clone3")
    rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, linux.CLONE_THREAD, 0))  # without CLONE_THREAD: a process
    for name in SELF_ONLY:
        rule(deny, name, sc.Arg(0, sc.NE, own_pid))
    for name in SELF_AS_ZERO:
        rule(deny, name, sc.Arg(0, sc.NE, 0))
    for name, which in (("setpriority", PRIO_PROCESS), ("ioprio_set", IOPRIO_WHO_PROCESS)):
        rule(deny, name, sc.Arg(0, sc.NE, which))  # no process group or user at once
        rule(deny, name, sc.Arg(1, sc.NE, 0))
    rule(deny, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, TIOCSTI))
    return flt


# -- compiled once, loaded by every child ------------------------------------------------------------
# Building the filter with libseccomp costs ~2 ms per child (`mlkatas dev bench-judge`, CPU per verdict).
# The zygote builds it once with a placeholder for the child's pid (SELF_ONLY compares with it) and
# each child patches its own pid into the compiled program and loads it with one system call.
PID_PLACEHOLDER = 0x5ECC0FF1
_INSN = struct.Struct("=HBBI")  # struct sock_filter: code, jt, jf, k
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1  # every thread of the process, not only the caller


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def compile_program() -> bytes:
    """The filter as classic BPF, with PID_PLACEHOLDER where the child's pid goes."""
    with tempfile.TemporaryFile() as out:
        build(PID_PLACEHOLDER).export_bpf(out)
        out.seek(0)
        program = out.read()
    if not program or len(program) % _INSN.size:
        raise RuntimeError(f"libseccomp exported a malformed program ({len(program)} bytes)")
    if not any(k == PID_PLACEHOLDER for *_, k in _INSN.iter_unpack(program)):
        raise RuntimeError("the compiled seccomp program does not compare the pid where expected")
    return program


def load_program(program: bytes, own_pid: int) -> None:
    """Patch in this process's pid and load the program for every thread. Needs no_new_privs."""
    patched = b"".join(
        _INSN.pack(code, jt, jf, own_pid if k == PID_PLACEHOLDER else k)
        for code, jt, jf, k in _INSN.iter_unpack(program)
    )
    buffer = ctypes.create_string_buffer(patched, len(patched))
    fprog = _SockFprog(len(patched) // _INSN.size, ctypes.addressof(buffer))
    result = linux.syscall("seccomp", SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(fprog))
    if result > 0:  # TSYNC names the thread it could not give the filter to
        raise OSError(errno.EAGAIN, f"seccomp: thread {result} could not take the filter")
