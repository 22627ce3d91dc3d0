"""Namespaces: how the zygote and each child enter theirs. The probe calls the same functions,
so what it finds is what the judge will do.

Standard library only (the probe and the strict boot import it before torch).
"""

from __future__ import annotations

import os

from mlkatas.judge.sandbox import linux

# The zygote's namespaces, by the layer that names them (the PID namespace comes apart: see
# worker.init.boot, it must be entered after torch's warm-up).
ZYGOTE_NAMESPACES = (
    ("mount-namespace", linux.CLONE_NEWNS),
    ("network-namespace", linux.CLONE_NEWNET),
    ("ipc-namespace", linux.CLONE_NEWIPC | linux.CLONE_NEWUTS),
)


def zygote_flags(layers: set[str]) -> int:
    flags = 0
    for layer, flag in ZYGOTE_NAMESPACES:
        if layer in layers:
            flags |= flag
    return flags


def enter_as_owner(flags: int) -> None:
    """Unshare `flags` as their owner: root stays root (it owns the namespaces it creates);
    anyone else first becomes root of a user namespace of their own, with only their uid mapped.
    Must run in a single-threaded process (a user namespace demands it)."""
    if os.geteuid() == 0:
        if flags:
            linux.unshare(flags)
        return
    uid, gid = os.geteuid(), os.getegid()
    linux.unshare(linux.CLONE_NEWUSER | flags)
    linux.write_id_maps(0, uid, 0, gid)


def become(uid: int) -> None:
    """As root: be `uid` (and its gid), with no supplementary groups, for good."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def enter_own_user(uid: int | None, extra: int = 0) -> None:
    """A child's step: as root, drop to `uid` (its own); then a user namespace of its own, with
    `extra` namespaces beside it, mapping only the uid it has. Capabilities are dropped apart."""
    if uid is not None:
        become(uid)
    linux.set_dumpable(True)  # a uid change clears it; writing the id maps needs it
    uid, gid = os.geteuid(), os.getegid()
    linux.unshare(linux.CLONE_NEWUSER | extra)
    linux.write_id_maps(uid, uid, gid, gid)
