"""Attacks that read what the child must not see: files outside its scratch folder, the judge's
environment, other processes through /proc, and the kata packs' reference solutions."""

from __future__ import annotations

from ._harness import (
    LIMITS,
    MEMORY_CANARY,
    MEMORY_CANARY_PREFIX,
    SECRET_ENV,
    SLUG,
    assert_contained,
    assert_still_grades,
    attack,
)

READ_CANARY_FILE = '''
paths = [@FILE@, @DIR@ + "/./secret.txt", "/proc/self/root" + @FILE@, "/proc/1/root" + @FILE@,
         "/proc/%d/root%s" % (os.getppid(), @FILE@), "/proc/%d/cwd/../../../..%s" % (os.getppid(), @FILE@)]
for p in paths:
    try:
        with open(p) as f:
            hit("read " + p, f.read())
    except BaseException as exc:
        miss("read " + p, exc)
try:
    hit("listdir", os.listdir(@DIR@))
except BaseException as exc:
    miss("listdir", exc)
try:
    d = os.open(@DIR@, os.O_RDONLY | os.O_DIRECTORY)
    hit("openat", os.read(os.open("secret.txt", os.O_RDONLY, dir_fd=d), 200))
except BaseException as exc:
    miss("openat", exc)
try:  # an O_PATH handle reopened through /proc/self/fd
    fd = os.open(@FILE@, os.O_PATH)
    with open(f"/proc/self/fd/{fd}") as f:
        hit("O_PATH reopen", f.read())
except BaseException as exc:
    miss("O_PATH reopen", exc)
try:
    import mmap
    with open(@FILE@, "rb") as f:
        hit("mmap", mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)[:200])
except BaseException as exc:
    miss("mmap", exc)
'''


def test_read_canary_file_outside_scratch(sandboxed, canary):
    """Plain open, /proc/*/root and /proc/*/cwd detours, openat, O_PATH reopen, mmap."""
    v = sandboxed.grade(SLUG, attack(READ_CANARY_FILE, FILE=str(canary.file), DIR=str(canary.dir)), limits=LIMITS)
    assert_contained(v, leaked=(canary.token,))
    assert_still_grades(sandboxed)


READ_ENV = '''
value = os.environ.get(@NAME@)
if value is not None:
    hit("os.environ", value)
for key, val in os.environ.items():
    if "MLKATAS" in key and key != @NAME@:
        hit("os.environ " + key, val)
try:
    import ctypes
    libc = ctypes.CDLL(None)
    libc.getenv.restype = ctypes.c_char_p
    raw = libc.getenv(@NAME@.encode())
    if raw:
        hit("libc getenv", raw.decode())
except BaseException as exc:
    miss("libc getenv", exc)
try:  # the environment the zygote was started with still sits at the top of this process's stack
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    # argv[0]'s page; the environment follows
    start = ctypes.c_void_p.in_dll(libc, "program_invocation_name").value & ~0xFFF
    r, w = os.pipe()
    stack = b""
    for page in range(64):  # write() answers EFAULT past the mapping instead of crashing
        n = libc.write(w, ctypes.c_void_p(start + page * 4096), 4096)
        if n <= 0:
            break
        stack += os.read(r, n)
    needle = @NAME@.encode() + b"="
    if needle in stack:
        hit("zygote's environment on the stack", stack[stack.index(needle):][:80])
    print(f"read {len(stack)} bytes of the initial stack")
except BaseException as exc:
    miss("stack", exc)
print("environment keys:", sorted(os.environ))
'''


def test_read_secret_environment_variable(sandboxed, env_secret):
    """os.environ, libc's getenv, and the initial environment block on the stack (inherited from
    the zygote through fork): the judge's environment must not reach the child."""
    v = sandboxed.grade(SLUG, attack(READ_ENV, NAME=SECRET_ENV), limits=LIMITS)
    assert_contained(v, leaked=(env_secret,))
    assert_still_grades(sandboxed)


READ_PROC_ENVIRON = '''
needle = @NAME@.encode() + b"="
pids = ["self", "thread-self", "1", str(os.getppid())]
pid = os.getpid()
for _ in range(12):  # every ancestor, through the ppid field of /proc/PID/stat
    try:
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    except BaseException as exc:
        miss("stat", exc)
        break
    if pid <= 0:
        break
    pids.append(str(pid))
try:
    pids += [e for e in os.listdir("/proc") if e.isdigit()]
except BaseException as exc:
    miss("list /proc", exc)
print("pids tried:", pids[:40])
for p in dict.fromkeys(pids):
    for part in ("environ", "cmdline"):
        try:
            with open(f"/proc/{p}/{part}", "rb") as f:
                data = f.read()
        except BaseException as exc:
            continue
        if needle in data:
            hit(f"/proc/{p}/{part}", data[data.index(needle):][:120])
'''


def test_read_environment_of_any_process_through_proc(sandboxed, env_secret):
    """/proc/self/environ (the zygote's exec environment), /proc/1, the parents, every visible pid."""
    v = sandboxed.grade(SLUG, attack(READ_PROC_ENVIRON, NAME=SECRET_ENV), limits=LIMITS)
    assert_contained(v, leaked=(env_secret,))
    assert_still_grades(sandboxed)


READ_PROCESS_MEMORY = '''
import ctypes, re, time
patterns = [re.compile(re.escape(@PREFIX@.encode()) + rb"[0-9a-f]{32}"),
            re.compile(re.escape(@NAME@.encode()) + rb"=envsecret[0-9a-f]{32}")]
start = time.monotonic()


def scan(data, where):
    for pat in patterns:
        m = pat.search(data)
        if m:
            hit("memory of " + where, m.group(0).decode())


try:
    pids = [int(e) for e in os.listdir("/proc") if e.isdigit() and int(e) != os.getpid()]
except BaseException as exc:
    miss("list /proc", exc)
    pids = []
pids = sorted(set(pids + [os.getppid(), 1]) - {0, os.getpid()})
print("pids:", pids[:40])
for pid in pids:  # through /proc/PID/mem
    try:
        maps = open(f"/proc/{pid}/maps").read().splitlines()
        mem = open(f"/proc/{pid}/mem", "rb", buffering=0)
    except BaseException as exc:
        miss(f"/proc/{pid}/mem", exc)
        continue
    for line in maps:
        fields = line.split()
        lo, hi = (int(a, 16) for a in fields[0].split("-"))
        if not fields[1].startswith("rw") or hi - lo > 1 << 30 or time.monotonic() - start > 6:
            continue
        for at in range(lo, hi, 8 << 20):
            try:
                mem.seek(at)
                scan(mem.read(min(8 << 20, hi - at) + 64), f"pid {pid}")
            except BaseException:
                break
# process_vm_readv on the parent (the zygote): after fork it has the same layout as this process
libc = ctypes.CDLL(None, use_errno=True)


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


try:
    regions = [tuple(int(a, 16) for a in line.split()[0].split("-"))
               for line in open("/proc/self/maps").read().splitlines() if "[stack]" in line or "[heap]" in line]
except BaseException as exc:  # no /proc: guess around the environment strings and a heap object
    miss("/proc/self/maps", exc)
    env = ctypes.c_void_p.in_dll(libc, "environ").value or 0  # the environ array, next to its strings
    regions = [(max(0, a - (4 << 20)) & ~0xFFF, (a + (4 << 20)) & ~0xFFF) for a in (env, id(os.environ)) if a]
for lo, hi in regions:
    buf = ctypes.create_string_buffer(hi - lo)
    local, remote = iovec(ctypes.addressof(buf), hi - lo), iovec(lo, hi - lo)
    n = libc.process_vm_readv(os.getppid(), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    if n > 0:
        scan(buf.raw[:n], "parent via process_vm_readv")
    else:
        miss("process_vm_readv", OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno())))
'''


def test_read_memory_of_other_processes(sandboxed, env_secret):
    """/proc/PID/mem of every visible process (the judge holds the expected outputs and a canary
    string) and process_vm_readv on the zygote."""
    v = sandboxed.grade(SLUG, attack(READ_PROCESS_MEMORY, PREFIX=MEMORY_CANARY_PREFIX, NAME=SECRET_ENV),
                        limits={"wall_s": 10, "cpu_s": 8, "memory_mb": 512})
    assert_contained(v, leaked=(MEMORY_CANARY.removeprefix(MEMORY_CANARY_PREFIX), env_secret))
    assert_still_grades(sandboxed)


READ_REFERENCE = '''
import glob
import mlkatas
root = os.path.dirname(mlkatas.__file__)
paths = [@SOLUTION@] + @VARIANTS@
for pattern in ("/packs/*/*/solution.py", "/packs/*/*/variants/right_*.py", "/packs/**/__pycache__/*.pyc"):
    try:
        paths += glob.glob(root + pattern, recursive=True)
    except BaseException as exc:
        miss("glob", exc)
for p in dict.fromkeys(paths):
    try:
        with open(p, "rb") as f:
            hit("reference " + p, f.read()[:300])
    except BaseException as exc:
        miss("reference " + p, exc)
try:  # the package's own accessor
    from mlkatas.catalog import Catalog
    hit("Kata.solution", Catalog.load().get("split-heads").solution[:300])
except BaseException as exc:
    miss("Kata.solution", exc)
'''


def test_read_reference_solutions(sandboxed, catalog):
    """The kata's solution.py and right_*.py variants, by path, by glob, cached bytecode, the
    package's own accessor: the reference must stay unreadable."""
    kata = catalog.get(SLUG)
    variants = sorted(str(p) for p in (kata.path / "variants").glob("right_*.py"))
    v = sandboxed.grade(
        SLUG, attack(READ_REFERENCE, SOLUTION=str(kata.path / "solution.py"), VARIANTS=variants), limits=LIMITS
    )
    assert_contained(v, leaked=("x: torch.Tensor, num_heads: int",))
    assert_still_grades(sandboxed)


REBUILD_SUITE = '''
try:  # what the parent does: import the pack's cases and reference, compute the expected outputs
    from mlkatas.catalog.kata import load_kata
    from mlkatas.engine.suite import Suite
    import mlkatas
    kata = load_kata(__import__("pathlib").Path(@PATH@), "einops")
    suite = Suite.build(kata)
    hit("Suite.build", f"{len(suite.expected)} expected outputs")
    REFERENCE = suite.reference
except BaseException as exc:
    miss("Suite.build", exc)
'''


def test_rebuild_expected_outputs_with_the_reference(sandboxed, catalog):
    """The child imports the engine and builds the suite itself, reference included."""
    v = sandboxed.grade(SLUG, attack(REBUILD_SUITE, PATH=str(catalog.get(SLUG).path)), limits=LIMITS)
    assert_contained(v)
    assert_still_grades(sandboxed)


DISCOVER = '''
starts = [os.getcwd(), "/proc/self/cwd", "/proc/%d/cwd" % os.getppid(),
          "/tmp", "/var/tmp", "/root", "/home", "/work", "/"]
try:  # every mount point the child can see
    for line in open("/proc/self/mountinfo"):
        starts.append(line.split()[4])
except BaseException as exc:
    miss("mountinfo", exc)
print("mounts/starts:", starts[:30])
seen = 0
found = []
for start in dict.fromkeys(starts):
    base = start.rstrip("/").count("/")
    try:
        for dirpath, dirnames, filenames in os.walk(start):
            seen += 1
            if dirpath.count("/") - base >= 4 or seen > 20000:
                dirnames[:] = []
            dirnames[:] = [d for d in dirnames if d not in ("proc", "sys", "dev", ".venv", "site-packages", ".git")]
            for name in filenames:
                if name == "secret.txt" or (name == "solution.py" and "packs" in dirpath):
                    found.append(os.path.join(dirpath, name))
    except BaseException as exc:
        miss("walk " + start, exc)
for path in dict.fromkeys(found):
    try:
        with open(path) as f:
            hit("found and read " + path, f.read()[:200])
    except BaseException as exc:
        miss("read " + path, exc)
'''


def test_discover_secrets_through_mounts_and_working_directories(sandboxed, canary):
    """Walk from the mount table, the working directories and the usual roots to find a secret
    file or a reference solution, then read it."""
    v = sandboxed.grade(SLUG, attack(DISCOVER), limits={"wall_s": 10, "cpu_s": 8, "memory_mb": 512})
    assert_contained(v, leaked=(canary.token, "x: torch.Tensor, num_heads: int"))
    assert_still_grades(sandboxed)

