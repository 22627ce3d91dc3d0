"""The file system a strict child sees: a private root with read-only libraries and nothing else.

Built once per zygote, inside its own mount namespace: an empty tmpfs becomes the root, the
Python installation, the site-packages and the system libraries are bound into it read-only,
the kata packs (reference solutions, case generators) are covered by empty read-only tmpfs
mounts, /proc is a fresh one (of the zygote's PID namespace) that shows each process only itself
and those of its user, /dev holds null, zero, full, random and urandom, and /scratch holds one
private tmpfs per child, which each child sees alone (isolate_scratch). Nothing here touches the
host's file system: every mount lives and dies with the namespace.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from mlkatas.judge.sandbox import linux

NEW_ROOT = "/tmp"  # the tmpfs that becomes "/" is mounted over /tmp, inside our mount namespace only
OLD_ROOT = ".oldroot"
SCRATCH = "/scratch"
SYSTEM_PATHS = ("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc/ld.so.cache")
DEVICES = ("null", "zero", "full", "random", "urandom")
NEVER_BIND = ("/", "/proc", "/sys", "/dev", "/tmp", "/etc", "/root", "/home", "/run", "/var")


@dataclass
class View:
    """What the view holds, for the Landlock rules that mirror it."""

    read: list[str] = field(default_factory=list)  # read-only trees and files
    hidden: list[str] = field(default_factory=list)  # inside `read`, but covered up
    devices: list[str] = field(default_factory=list)
    proc: bool = False


def python_paths() -> list[str]:
    """The installation and every import location this interpreter uses."""
    paths = {sys.base_prefix, sys.prefix, sys.base_exec_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
    paths.update(p for p in sys.path if p and os.path.isabs(p))
    return [p for p in paths if os.path.exists(p)]


def outermost(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another one of the list."""
    chosen: list[str] = []
    for path in sorted({os.path.normpath(p) for p in paths}, key=len):
        if not any(path == c or path.startswith(c.rstrip("/") + "/") for c in chosen):
            chosen.append(path)
    return sorted(chosen)


def read_paths() -> list[str]:
    """Host paths to show read-only: symlinks stay links (their targets are bound instead)."""
    wanted: list[str] = []
    for path in list(SYSTEM_PATHS) + python_paths():
        if not os.path.lexists(path):
            continue
        real = os.path.realpath(path)
        if real in NEVER_BIND:
            continue
        wanted.append(real)
    return outermost(wanted)


def within(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def build(hidden: list[str], proc: bool = True) -> View:
    """Enter the view: after this, "/" is the private root. Must run as (namespace) root, inside
    a new mount namespace, before anything needs a file the view does not show."""
    view = View(read=read_paths())
    view.hidden = outermost(
        [h for h in (os.path.realpath(p) for p in hidden) if os.path.isdir(h) and within(h, view.read)]
    )
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    sources = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in view.read}
    linux.mount("tmpfs", NEW_ROOT, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=4m,mode=0755")
    root = NEW_ROOT
    for path, fd in sources.items():
        target = root + path
        _make_target(target, os.path.isdir(f"/proc/self/fd/{fd}"))
        linux.mount(f"/proc/self/fd/{fd}", target, None, linux.MS_BIND | linux.MS_REC)
        os.close(fd)
    _copy_links(root)
    for path in view.hidden:
        linux.mount(
            "tmpfs", root + path, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC, "size=4k,mode=0000"
        )
    os.mkdir(root + "/dev", 0o755)
    for name in DEVICES:
        if os.path.exists(f"/dev/{name}"):
            _make_target(root + f"/dev/{name}", False)
            linux.mount(f"/dev/{name}", root + f"/dev/{name}", None, linux.MS_BIND)
            view.devices.append(f"/dev/{name}")
    for name, target in (
        ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, root + f"/dev/{name}")
    os.mkdir(root + "/proc", 0o555)
    if proc:
        _mount_proc(root + "/proc")
        view.proc = True
    os.mkdir(root + SCRATCH, 0o711)
    linux.mount(
        "tmpfs", root + SCRATCH, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC, "size=1m,mode=0711"
    )
    os.mkdir(root + "/" + OLD_ROOT)
    linux.pivot_root(root, root + "/" + OLD_ROOT)
    os.chdir("/")
    linux.umount("/" + OLD_ROOT, linux.MNT_DETACH)
    os.rmdir("/" + OLD_ROOT)
    _make_read_only(keep_writable=(SCRATCH, "/proc", *(f"/dev/{d}" for d in DEVICES)))
    return view


def _make_target(target: str, is_dir: bool) -> None:
    parent = os.path.dirname(target)
    os.makedirs(parent, mode=0o755, exist_ok=True)
    if is_dir:
        os.makedirs(target, mode=0o755, exist_ok=True)
    elif not os.path.exists(target):
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))


def _copy_links(root: str) -> None:
    """Recreate the host's top-level symlinks (/lib -> usr/lib on merged-/usr systems, a venv's
    python -> the real interpreter) so the same paths work inside the view."""
    for path in list(SYSTEM_PATHS) + python_paths() + [sys.executable]:
        if os.path.islink(path) and not os.path.lexists(root + path):
            parent = root + os.path.dirname(path)
            if os.path.isdir(parent):
                os.symlink(os.readlink(path), root + path)


def _mount_proc(target: str) -> None:
    """A procfs of our PID namespace: each process sees itself and its user's processes only
    (hidepid), and only process folders (subset=pid: no /proc/sys, /proc/kcore...)."""
    flags = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
    for options in ("hidepid=invisible,subset=pid", "hidepid=2", None):
        try:
            linux.mount("proc", target, "proc", flags, options)
            return
        except OSError:
            if options is None:
                raise


def _make_read_only(keep_writable: tuple[str, ...]) -> None:
    """Remount every mount of the view read-only, nosuid, nodev, except the writable ones."""
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        points = [_unescape(line.split()[4]) for line in info]
    for point in points:
        if point in keep_writable or any(point.startswith(k + "/") for k in keep_writable):
            continue
        flags = linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV
        if point != "/":
            flags |= linux.MS_BIND
        try:
            linux.mount(None, point, None, flags)
        except OSError:
            # a mount locked by a more privileged namespace keeps its flags; Landlock still
            # refuses writes beneath it
            pass


def _unescape(field_text: str) -> str:
    return field_text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def new_scratch(index: int, uid: int, gid: int, size_mb: int, inodes: int = 4096) -> str:
    """A private tmpfs for one child, owned by the user its code runs as."""
    path = f"{SCRATCH}/{index}"
    os.mkdir(path, 0o700)
    options = f"size={size_mb}m,nr_inodes={inodes},mode=0700,uid={uid},gid={gid}"
    linux.mount("tmpfs", path, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC, options)
    return path


def isolate_scratch(path: str) -> None:
    """In a child, before it drops its privileges: a mount namespace of its own in which
    /scratch holds its own scratch folder and nothing else. The other children's folders (the
    next one is made while this one runs) are neither visible nor reachable, so none can be
    changed or used as a message box (Landlock does not govern chmod, utime or xattrs). Mounts
    the init makes later do not propagate here: the view's mounts are private."""
    linux.unshare(linux.CLONE_NEWNS)
    own = os.open(path, os.O_PATH | os.O_CLOEXEC)  # in the new namespace (a bind needs that), before the cover hides it
    try:
        flags = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
        linux.mount("tmpfs", SCRATCH, "tmpfs", flags, "size=4k,nr_inodes=8,mode=0711")
        os.mkdir(path, 0o700)
        linux.mount(f"/proc/self/fd/{own}", path, None, linux.MS_BIND)
        linux.mount(None, SCRATCH, None, linux.MS_REMOUNT | linux.MS_RDONLY | flags)
    finally:
        os.close(own)


def drop_scratch(path: str) -> None:
    try:
        linux.umount(path, linux.MNT_DETACH)
    except OSError:
        pass
    try:
        os.rmdir(path)
    except OSError:
        pass
