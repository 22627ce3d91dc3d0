"""Landlock: a file-system (and, from ABI 4, TCP; from ABI 6, signal) allow-list for this process.

Landlock is an unprivileged Linux security module: a process describes what it may touch, then
restricts itself; the rules hold for it and everything it starts, and cannot be lifted. The ABI
version says which rights the kernel knows; we ask for every right of that version, so whatever
is not allowed below is denied. Standard library only (the probe imports it without torch).
"""

from __future__ import annotations

import ctypes
import os

from mlkatas.judge.sandbox import linux

CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
TRUNCATE = 1 << 14
IOCTL_DEV = 1 << 15
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a file may hold
READ = EXECUTE | READ_FILE | READ_DIR

NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI version; OSError when Landlock is not there (or disabled)."""
    return linux.syscall("landlock_create_ruleset", None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))


def fs_rights(abi: int) -> int:
    """Every file-system right the given ABI knows."""
    last_bit = {1: 12, 2: 13, 3: 14, 4: 14}.get(abi, 15)
    return (1 << (last_bit + 1)) - 1


def ruleset(abi: int, read: list[str], write: list[str], devices: list[str] = ()) -> tuple[int, list[str]]:
    """A ruleset that allows reading beneath `read`, everything beneath `write`, reading and
    writing the device files `devices`, and denies the rest of the file system, TCP (ABI >= 4),
    and signals and abstract sockets beyond the process's domain (ABI >= 6). Returns its fd and
    what it restricts. Built while the paths can still be opened (before dropping privileges);
    `enforce` applies it."""
    handled_fs = fs_rights(abi)
    attr = _RulesetAttr(handled_fs, 0, 0)
    size = 8
    scope = ["file system"]
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
        scope.append("tcp")
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
        scope.append("signals")
    fd = linux.syscall("landlock_create_ruleset", ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        for paths, rights in (
            (read, READ), (write, handled_fs), (devices, READ_FILE | WRITE_FILE | TRUNCATE | IOCTL_DEV)
        ):
            for path in paths:
                _allow(fd, path, rights & handled_fs)
    except BaseException:
        os.close(fd)
        raise
    return fd, scope


def enforce(ruleset_fd: int) -> None:
    """Restrict this process (and all it starts) to the ruleset, for good. Needs no_new_privs."""
    try:
        linux.syscall("landlock_restrict_self", ruleset_fd, ctypes.c_uint32(0))
    finally:
        os.close(ruleset_fd)


def _allow(ruleset: int, path: str, rights: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        rule = _PathBeneathAttr(rights, fd)
        linux.syscall("landlock_add_rule", ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)
