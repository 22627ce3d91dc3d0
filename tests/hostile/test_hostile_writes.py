"""Attacks that write where the child must not: outside its scratch folder, into the installed
package or site-packages, into places the next submission or the next zygote reads, and into the
memory of the zygote itself."""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

import mlkatas
from mlkatas.judge import Judge

from ._harness import LIMITS, RIGHT, SLUG, assert_contained, assert_still_grades, attack, describe

WRITE_OUTSIDE = '''
targets = @TARGETS@
for path in targets:
    try:
        with open(path, "w") as f:
            f.write("pwned")
        hit("wrote " + path)
    except BaseException as exc:
        miss("write " + path, exc)
victim = @VICTIM@
attempts = [
    ("append", lambda: open(victim, "a").write("pwned")),
    ("truncate", lambda: os.truncate(victim, 0)),
    ("chmod", lambda: os.chmod(victim, 0o777)),
    ("utime", lambda: os.utime(victim, (0, 0))),
    ("rename", lambda: os.rename(victim, victim + ".moved")),
    ("unlink", lambda: os.unlink(victim)),
    ("mkdir", lambda: os.mkdir(@OUTSIDE@ + "/newdir")),
    ("mkfifo", lambda: os.mkfifo(@OUTSIDE@ + "/fifo")),
    ("symlink", lambda: os.symlink("/etc/passwd", @OUTSIDE@ + "/link")),
]
for name, act in attempts:
    try:
        act()
        hit(name)
    except BaseException as exc:
        miss(name, exc)
try:  # the zygote's working directory (the judge's) through /proc
    with open("/proc/%d/cwd/mlkatas-pwned-%s" % (os.getppid(), @TAG@), "w") as f:
        f.write("pwned")
    hit("zygote cwd")
except BaseException as exc:
    miss("zygote cwd", exc)
'''


def test_write_outside_scratch(sandboxed, outside):
    """Create, append, truncate, chmod, rename, unlink, mkdir, mkfifo, symlink in a folder of the
    test's, and create files in /tmp, /var/tmp, /dev/shm and the zygote's working directory."""
    tag = secrets.token_hex(8)
    victim = outside / "victim.txt"
    victim.write_text("original")
    victim.chmod(0o644)
    before = victim.stat()
    shared = [f"/tmp/mlkatas-pwned-{tag}", f"/var/tmp/mlkatas-pwned-{tag}", f"/dev/shm/mlkatas-pwned-{tag}",
              os.path.join(os.getcwd(), f"mlkatas-pwned-{tag}")]
    targets = [str(outside / "new.txt")] + shared
    try:
        source = attack(WRITE_OUTSIDE, TARGETS=targets, VICTIM=str(victim), OUTSIDE=str(outside), TAG=tag)
        v = sandboxed.grade(SLUG, source, limits=LIMITS)
        assert_contained(v)
        assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
        after = victim.stat()
        assert (victim.read_text() == "original" and after.st_mode == before.st_mode
                and after.st_mtime == before.st_mtime)
        assert [p for p in shared if os.path.lexists(p)] == []
    finally:
        for p in shared:
            if os.path.lexists(p):
                os.unlink(p)
    assert_still_grades(sandboxed)


WRITE_THROUGH_LINKS = '''
import tempfile
scratch = os.path.join(tempfile.gettempdir(), @NAME@)
try:
    os.mkdir(scratch)
except OSError:
    scratch = os.getcwd()
print("cwd:", os.getcwd(), "scratch:", scratch)
tricks = [
    ("symlink to the folder",
     lambda: (os.symlink(@OUTSIDE@, scratch + "/out"), open(scratch + "/out/via-symlink", "w").write("pwned"))),
    ("symlink to the victim", lambda: (os.symlink(@VICTIM@, scratch + "/v"), open(scratch + "/v", "a").write("pwned"))),
    ("hard link to the victim",
     lambda: (os.link(@VICTIM@, scratch + "/hard"), open(scratch + "/hard", "a").write("pwned"))),
    ("rename the victim into scratch", lambda: os.rename(@VICTIM@, scratch + "/stolen")),
    ("dot-dot from scratch",
     lambda: open(scratch + "/../../../../../../.." + @OUTSIDE@ + "/via-dotdot", "w").write("pwned")),
    ("/proc/self/cwd detour",
     lambda: open("/proc/self/cwd/../../../../../../.." + @OUTSIDE@ + "/via-proc-cwd", "w").write("pwned")),
]
for name, act in tricks:
    try:
        act()
        hit(name)
    except BaseException as exc:
        miss(name, exc)
'''


def test_write_through_symlinks_hardlinks_and_dotdot(sandboxed, outside):
    """Links made in the scratch folder that point outside it, renames into it, `..` and /proc detours."""
    victim = outside / "victim.txt"
    victim.write_text("original")
    name = f"mlkatas-links-{secrets.token_hex(6)}"
    try:
        v = sandboxed.grade(
            SLUG, attack(WRITE_THROUGH_LINKS, OUTSIDE=str(outside), VICTIM=str(victim), NAME=name), limits=LIMITS
        )
    finally:  # an escaped attack made this folder in the real temp folder
        shutil.rmtree(Path(tempfile.gettempdir()) / name, ignore_errors=True)
    assert_contained(v)
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert victim.read_text() == "original"
    assert_still_grades(sandboxed)


TAMPER = '''
targets = @FILES@
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("\\n# pwned by a submission\\n")
        hit("appended to " + path)
    except BaseException as exc:
        miss("append " + path, exc)
for path in @NEW@:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("import os\\n")
        hit("created " + path)
    except BaseException as exc:
        miss("create " + path, exc)
import importlib, mlkatas.engine.compare as compare
try:
    os.utime(compare.__file__, (0, 0))
    hit("utime " + compare.__file__)
except BaseException as exc:
    miss("utime", exc)
'''


PWNED_LINE = "# pwned by a submission"


def test_tamper_with_installed_package(strict_judge):
    """Append to the engine's comparison, the child, the zygote, a kata's cases and einops;
    create a module and a kata in the package, and a .pth file and sitecustomize in
    site-packages (a .pth line runs at every interpreter start)."""
    pkg, site = Path(mlkatas.__file__).parent, Path(sysconfig.get_paths()["purelib"])
    kata_dir = pkg / "packs" / "einops" / "split-heads"
    tag = secrets.token_hex(6)
    files = [pkg / "engine" / "compare.py", pkg / "judge" / "worker" / "child.py",
             pkg / "judge" / "worker" / "zygote_main.py",
             kata_dir / "cases.py", kata_dir / "kata.toml", Path(importlib.util.find_spec("einops").origin)]
    new = [pkg / f"pwned_{tag}.py", site / f"mlkatas_pwned_{tag}.pth", site / "sitecustomize.py",
           site / "usercustomize.py", pkg / "packs" / "einops" / f"pwned-{tag}" / "kata.toml"]
    assert not any(p.exists() for p in new)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in files}
    try:
        v = strict_judge.grade(
            SLUG, attack(TAMPER, FILES=[str(p) for p in files], NEW=[str(p) for p in new]), limits=LIMITS
        )
        assert_contained(v)
        changed = [str(p) for p, (data, mtime, mode) in before.items()
                   if p.read_bytes() != data or p.stat().st_mtime_ns != mtime or p.stat().st_mode != mode]
        assert changed == [], f"installed files were changed: {changed}"
        assert [str(p) for p in new if p.exists()] == [], "files appeared in the package or site-packages"
    finally:  # undo what an escaped attack did, and only that (others may be editing this tree)
        for path, (data, mtime, _mode) in before.items():
            current = path.read_bytes()
            if PWNED_LINE.encode() in current and current.replace(b"\n" + PWNED_LINE.encode() + b"\n", b"") == data:
                path.write_bytes(data)
            if path.read_bytes() == data and path.stat().st_mtime_ns != mtime:
                os.utime(path, ns=(mtime, mtime))
        for path in new:
            if path.exists():
                path.unlink()
        if new[-1].parent.is_dir():
            new[-1].parent.rmdir()
    assert_still_grades(strict_judge)


PLANT_NAMES = ("einops.py", "sitecustomize.py", "usercustomize.py", "mlkatas.py")

PLANT = '''
import sys, tempfile
dirs = [os.getcwd(), tempfile.gettempdir(), "/proc/%d/cwd" % os.getppid()] + @DIRS@ + [p for p in sys.path if p]
planted = 0
for d in dict.fromkeys(dirs):
    for name in @NAMES@:
        try:
            with open(os.path.join(d, name), "w") as f:
                f.write(@PAYLOAD@)
            planted += 1
        except BaseException:
            pass
print("files written (in scratch or outside):", planted)
# change what this process has imported: the next child must not inherit it
import einops, torch
einops.rearrange = lambda *a, **k: torch.zeros(1)
torch.Tensor.permute = lambda self, *a: torch.zeros(1)
sys.modules["einops"] = type(sys)("einops")
'''

PAYLOAD = '''
print("PLANTED" + "-IMPORTED")
open(@MARKER@, "w").write("planted module ran")


def rearrange(*args, **kwargs):
    raise RuntimeError("planted einops")
'''


def _plant_dirs() -> list[Path]:
    """Where a planted module would be picked up: the judge's working directory (sys.path[0] of
    `python -m`), temp folders, home, every sys.path entry, the package."""
    dirs = [os.getcwd(), tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~")]
    dirs += [p for p in sys.path if p] + [str(Path(mlkatas.__file__).parent)]
    return [Path(d) for d in dict.fromkeys(dirs) if Path(d).is_dir()]


def _remove_planted(names, token: str) -> list[str]:
    found = []
    for d in _plant_dirs():
        for name in names:
            path = d / name
            try:
                if path.is_file() and token in path.read_text(errors="replace"):
                    found.append(str(path))
                    path.unlink()
            except OSError:
                pass
    return found


def test_plant_modules_for_the_next_submission(strict_judge, catalog, outside):
    """Write einops.py, sitecustomize.py... into the working directories, temp folders and every
    sys.path entry, and patch modules in memory; then the same judge and a freshly started one
    (whose new zygote imports einops again) grade a correct solution: it passes, no planted module runs."""
    token = secrets.token_hex(8)
    dirs = [str(d) for d in _plant_dirs()]
    # First with harmless names: planting real module names where other Pythons on this machine
    # would import them is only tried once the sandbox has shown it refuses these writes.
    probe_names = [f"mlkatas_probe_{token}.py"]
    v = strict_judge.grade(SLUG, attack(PLANT, DIRS=dirs, NAMES=probe_names, PAYLOAD=f"# {token}\n"), limits=LIMITS)
    escaped = _remove_planted(probe_names, token)
    assert escaped == [], f"refusing to plant real module names: the child wrote {escaped}\n" + describe(v)
    assert_contained(v)

    marker = outside / "planted-module-ran"
    payload = PAYLOAD.replace("@MARKER@", repr(str(marker))) + f"# {token}\n"
    try:
        v = strict_judge.grade(SLUG, attack(PLANT, DIRS=dirs, NAMES=list(PLANT_NAMES), PAYLOAD=payload), limits=LIMITS)
        assert_contained(v)
        again = strict_judge.grade(SLUG, RIGHT, limits=LIMITS)
        assert again.status == "passed" and "PLANTED-IMPORTED" not in again.output, describe(again)
        with Judge(sandbox="strict", catalog=catalog) as fresh:
            first = fresh.grade(SLUG, RIGHT, limits=LIMITS)
        assert first.status == "passed" and "PLANTED-IMPORTED" not in first.output, describe(first)
        assert not marker.exists(), "a planted module ran"
    finally:
        leftovers = _remove_planted(PLANT_NAMES, token)
    assert leftovers == [], f"planted files outside scratch: {leftovers}"
    assert_still_grades(strict_judge)


POISON_ZYGOTE = '''
import ctypes, einops
target = id(einops.rearrange)
old, new = id(einops.rearrange.__code__), id(einops.reduce.__code__)
raw = ctypes.string_at(target, 256)
offset = raw.find(old.to_bytes(8, "little"))
print("func_code offset:", offset)
pids, pid = [], os.getpid()
for _ in range(8):  # the ancestors: the zygote first
    try:
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    except BaseException as exc:
        miss("stat", exc)
        break
    if pid <= 0:
        break
    pids.append(pid)
pids = list(dict.fromkeys([os.getppid()] + pids))
print("ancestors:", pids)
libc = ctypes.CDLL(None, use_errno=True)


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


for pid in pids:
    if pid <= 0:
        continue
    try:  # only where the same object sits at the same address: a fork of the same zygote
        with open(f"/proc/{pid}/mem", "r+b", buffering=0) as mem:
            mem.seek(target + offset)
            if mem.read(8) == old.to_bytes(8, "little"):
                mem.seek(target + offset)
                mem.write(new.to_bytes(8, "little"))
                hit(f"rewrote einops.rearrange in pid {pid} through /proc/PID/mem")
    except BaseException as exc:
        miss(f"/proc/{pid}/mem", exc)
    buf = ctypes.create_string_buffer(new.to_bytes(8, "little"), 8)
    local, remote = iovec(ctypes.addressof(buf), 8), iovec(target + offset, 8)
    check = ctypes.create_string_buffer(8)
    got = libc.process_vm_readv(pid, ctypes.byref(iovec(ctypes.addressof(check), 8)), 1, ctypes.byref(remote), 1, 0)
    if got == 8 and check.raw == old.to_bytes(8, "little"):
        if libc.process_vm_writev(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) == 8:
            hit(f"rewrote einops.rearrange in pid {pid} through process_vm_writev")
    else:
        miss("process_vm_readv", OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno())))
'''


def test_poison_the_zygote_through_its_memory(strict_judge):
    """The child knows the zygote's layout (it is a fork of it): it swaps the code of
    einops.rearrange for einops.reduce's in the zygote's memory, so every later submission would
    break. The next correct solution must still pass."""
    v = strict_judge.grade(SLUG, attack(POISON_ZYGOTE), limits=LIMITS)
    assert_contained(v)
    assert_still_grades(strict_judge)
