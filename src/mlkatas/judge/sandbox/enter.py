"""A strict child's way into the sandbox: every layer, in the order applied, one call each.

Trust boundary: this runs in a freshly forked child before it is given a job; after it returns,
the process can reach nothing but its job socket, its scratch folder and the read-only view.
The order matters, each step still having what it needs: descriptors and environment first,
then its own mount namespace (still privileged), Landlock's rules (they open their paths), the
uid and user namespace, capabilities dropped, no_new_privs, Landlock enforced, seccomp last.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from dataclasses import dataclass, field

from mlkatas.judge.sandbox import fsview, landlock, linux, namespaces, seccomp
from mlkatas.judge.sandbox.rlimits import vm_size_bytes

CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass
class SandboxSpec:
    """What every child of one zygote applies, prepared once by its init."""

    layers: set[str]
    as_root: bool  # the judge runs as root: children drop to a uid of their own
    isolate_scratch: bool  # a mount namespace per child, whose /scratch shows its own folder only
    landlock_abi: int = 0
    read_paths: list[str] = field(default_factory=list)  # Landlock's read allow-list (the view, packs left out)
    devices: list[str] = field(default_factory=list)
    seccomp_program: bytes | None = None  # compiled once; each child patches in its pid
    hot_pages: list[tuple[int, int]] = field(default_factory=list)  # copied before the job (worker.template)
    base_vm: int = 0  # the init's address space, if a child cannot read its own


def enter_sandbox(sock: socket.socket, scratch: str, uid: int, spec: SandboxSpec) -> int:
    """Apply every layer of `spec`. Returns the address space in use before the job, the base of
    the memory limit."""
    os.setsid()  # own session and process group, away from the init's
    _only_descriptor(sock.fileno())
    try:
        base_vm = vm_size_bytes()
    except OSError:
        base_vm = spec.base_vm
    os.environ.clear()
    os.environ.update(CLEAN_ENV, HOME=scratch, TMPDIR=scratch)
    tempfile.tempdir = scratch
    if spec.isolate_scratch:
        fsview.isolate_scratch(scratch)
    os.chdir(scratch)
    sys.path[:] = [p for p in sys.path if p]  # no cwd-relative imports
    rules = None
    if "landlock" in spec.layers:  # the rules open their paths: while still privileged
        rules, _ = landlock.ruleset(spec.landlock_abi, read=spec.read_paths, write=[scratch], devices=spec.devices)
    ipc = linux.CLONE_NEWIPC if "ipc-namespace" in spec.layers else 0  # no SysV IPC left by the previous child
    if "user-namespace" in spec.layers:
        namespaces.enter_own_user(uid if spec.as_root else None, ipc)
    else:
        if ipc:
            linux.unshare(ipc)  # while still privileged
        if spec.as_root:
            namespaces.become(uid)
    linux.drop_capabilities()
    linux.set_dumpable(False)  # no ptrace, no /proc/<pid> for anyone of the same uid
    linux.populate_write(spec.hot_pages)  # while the judge is busy elsewhere, not during the job
    linux.set_no_new_privs()
    if rules is not None:
        landlock.enforce(rules)
    if spec.seccomp_program is not None:
        seccomp.load_program(spec.seccomp_program, os.getpid())
    return base_vm


def _only_descriptor(keep: int) -> None:
    """Standard streams to /dev/null, every other descriptor but `keep` closed."""
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 20)


def split_around(roots: list[str], hidden: list[str]) -> list[str]:
    """`roots` with every folder in `hidden` left out: a root that contains a hidden folder is
    replaced by its entries, recursively along the way down to the hidden folder (Landlock can
    only allow, so the allow-list is built around what must stay unseen)."""
    out: list[str] = []
    for root in roots:
        inside = [h for h in hidden if h.startswith(root.rstrip("/") + "/")]
        if root in hidden:
            continue
        if not inside or not os.path.isdir(root):
            out.append(root)
            continue
        try:
            entries = sorted(os.listdir(root))
        except OSError:
            continue
        out.extend(split_around([os.path.join(root, e) for e in entries], inside))
    return out
