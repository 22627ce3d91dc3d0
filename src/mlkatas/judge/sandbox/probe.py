"""Which layers of the strict sandbox this kernel and this process can provide.

Each layer is tried for real, the way the strict zygote uses it, in a throwaway child (a
namespace can only be tested by entering one). Run as `python -P -m mlkatas.judge.sandbox.probe`: a small
process without torch, so forking it is safe and quick; it prints one JSON object mapping each
layer to null (available) or the reason it is not. `sandbox.probe()` runs it and caches the answer.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from typing import Callable

from mlkatas.judge.sandbox import landlock, linux, namespaces

LAYERS = (
    "user-namespace",
    "pid-namespace",
    "mount-namespace",
    "network-namespace",
    "ipc-namespace",
    "landlock",
    "seccomp",
)
SANDBOX_UID = 65534  # nobody: the probe tries the child's step with it (children get uids of their own: worker.init)


def in_child(test: Callable[[], None]) -> str | None:
    """Run `test` in a forked child; None if it returned, else the error it raised."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            test()
            message = b""
        except BaseException as exc:  # noqa: BLE001 - whatever failed is the answer
            message = (
                (f"{type(exc).__name__}: {exc}" if not isinstance(exc, OSError) else str(exc)).encode() or b"failed"
            )
        try:
            os.write(write, message[:2000])
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 4096):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace")
    return text or None


def check_user() -> None:
    """The child's own step: its own uid (as root), a user namespace of its own, no capabilities."""
    namespaces.enter_own_user(SANDBOX_UID if os.geteuid() == 0 else None)
    linux.drop_capabilities()


def check_pid() -> None:
    namespaces.enter_as_owner(linux.CLONE_NEWPID)
    pid = os.fork()
    if pid == 0:
        os._exit(0 if os.getpid() == 1 else 1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise OSError(errno.EINVAL, "a child in the new PID namespace is not its init")
    if not hasattr(os, "pidfd_open"):
        raise OSError(errno.ENOSYS, "no pidfd_open (needed to stop a child in another PID namespace)")
    os.close(os.pidfd_open(os.getpid()))


def check_mount() -> None:
    namespaces.enter_as_owner(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    linux.mount("tmpfs", "/tmp", "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=1m")
    os.mkdir("/tmp/usr")
    linux.bind_readonly("/usr", "/tmp/usr")
    linux.syscall_number("pivot_root")


def check_network() -> None:
    namespaces.enter_as_owner(linux.CLONE_NEWNET)


def check_ipc() -> None:
    namespaces.enter_as_owner(linux.CLONE_NEWIPC | linux.CLONE_NEWUTS)


def check_landlock() -> str | None:
    try:
        abi = landlock.abi_version()
    except OSError as exc:
        if exc.errno == errno.EOPNOTSUPP:
            return "Landlock is built into this kernel but not enabled (add it to the lsm= boot parameter)"
        return f"this kernel has no Landlock ({exc})"
    return None if abi >= 1 else f"Landlock ABI {abi} is too old"


def check_seccomp() -> None:
    from mlkatas.judge.sandbox import seccomp

    try:
        seccomp.import_backend()
    except (ImportError, RuntimeError, OSError) as exc:
        raise RuntimeError(f"pyseccomp and the system's libseccomp are needed ({exc}); `pip install mlkatas[strict]` "
                           "and install libseccomp2") from None
    linux.prctl(linux.PR_GET_SECCOMP)
    program = seccomp.compile_program()  # what the zygote builds once and every child loads
    linux.set_no_new_privs()
    seccomp.load_program(program, os.getpid())
    try:
        pid = os.fork()
    except PermissionError:
        return
    if pid == 0:
        os._exit(0)
    raise RuntimeError("the seccomp filter loaded but did not refuse fork")


def probe() -> dict[str, str | None]:
    """Every layer: None if it works here, else why not."""
    return {
        "user-namespace": in_child(check_user),
        "pid-namespace": in_child(check_pid),
        "mount-namespace": in_child(check_mount),
        "network-namespace": in_child(check_network),
        "ipc-namespace": in_child(check_ipc),
        "landlock": check_landlock(),
        "seccomp": in_child(check_seccomp),
    }


if __name__ == "__main__":
    json.dump(probe(), sys.stdout)
