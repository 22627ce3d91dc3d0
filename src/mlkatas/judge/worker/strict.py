"""The strict zygote: a warm torch process inside its own namespaces, forking sandboxed children.

Process tree (the judge is the trusted parent; everything below it may meet learner code):

    judge ── boot process (host PID namespace; waits, then exits with the init)
               └─ init: PID 1 of a new PID namespace, in new mount, network, IPC and UTS
                  namespaces; private file-system view (fsview); holds no secrets
                    └─ one child per submission, forked ahead of time and sandboxed before
                       it ever sees a job: own user, mount and IPC namespaces (its /scratch
                       shows its own folder only), a uid of its own (as root), no capabilities,
                       Landlock, seccomp; rlimits once the job says which

The init answers small JSON requests on the control socket from the judge:
  take      -> {"pid"} plus two descriptors: the child's job socket and a pidfd to kill it with.
               Two children wait ready; the one taken is replaced once its job has ended (forking
               and sandboxing the next one would take CPU from the job), or at once when none is
               left (jobs coming faster than children)
  wait      -> the exit status and resource use of a child that ended early (crash, limit, kill)
  release   -> no reply: the child said "done"; it is killed and reaped later (tearing down a
               torch-sized address space takes longer than a verdict should wait)
Between two children the init kills every process below it but the children waiting for a job,
and unmounts the finished child's scratch tmpfs, so nothing of one submission reaches the next. The judge sends a
child two frames: its limits (applied as rlimits before anything else), then the job.
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import select
import shutil
import signal
import socket
import sys
import tempfile
import traceback
from dataclasses import dataclass

from mlkatas.judge.sandbox import fsview, landlock, linux
from mlkatas.judge.sandbox.rlimits import apply_rlimits, vm_size_bytes
from mlkatas.judge.protocol.shared_inputs import SharedInputs

SANDBOX_UID_BASE = 1 << 30  # children's uids (as root): far above any account's
UIDS_PER_ZYGOTE = 1 << 16
UID_BLOCKS = 1 << 14  # blocks of UIDS_PER_ZYGOTE below 2**31
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
READY_EXIT = 70  # a child that could not enter its sandbox


class LayerFailed(RuntimeError):
    def __init__(self, layer: str, error: BaseException | str):
        self.layer = layer
        super().__init__(f"{layer}: {error}")


@dataclass
class Plan:
    """What the judge asks of a strict zygote (sent as JSON on the control socket: a command
    line is readable in /proc)."""

    layers: list[str]
    hidden: list[str]  # folders the children must not see (the kata packs)
    scratch_mb: int = 64
    file_mb: int = 16
    open_files: int = 64
    threads: int = 256  # processes+threads of the sandbox uid (RLIMIT_NPROC); the address space limits them too

    @classmethod
    def from_json(cls, text: str) -> "Plan":
        return cls(**json.loads(text))

    def to_json(self) -> str:
        return json.dumps(self.__dict__)


# -- the boot process ---------------------------------------------------------------------------
def boot(ctrl: socket.socket, plan: Plan, warm_up) -> None:
    """Enter the namespaces, warm torch up, fork the init, and wait for it."""
    layers = set(plan.layers)
    real_root = os.geteuid() == 0  # before a user namespace makes everyone root
    try:
        if "seccomp" in layers:
            from mlkatas.judge.sandbox import seccomp

            seccomp.import_backend()  # finds libseccomp with a subprocess: now, not in a sandbox
        _enter_namespaces(layers)
        warm_up()
        _enter_pid_namespace(layers)
    except LayerFailed as exc:
        _refuse(ctrl, exc)
        return
    alive_read, alive_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(alive_write)
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)  # the boot process gone: the namespace goes
        if select.select([alive_read], [], [], 0)[0]:
            os._exit(1)  # it died before the line above
        code = 1
        try:
            Init(ctrl, plan, alive_read, real_root).run()
            code = 0
        except BaseException:  # noqa: BLE001 - the judge shows the zygote's stderr when it stops answering
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(alive_read)
    try:
        ctrl.send(json.dumps({"init_pid": pid}).encode())
    except OSError:
        pass
    ctrl.close()
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            status = 0
            break
        except InterruptedError:
            continue
    os._exit(max(0, os.waitstatus_to_exitcode(status)))


NAMESPACE_FLAGS = (
    ("mount-namespace", linux.CLONE_NEWNS),
    ("network-namespace", linux.CLONE_NEWNET),
    ("ipc-namespace", linux.CLONE_NEWIPC | linux.CLONE_NEWUTS),
)


def _enter_namespaces(layers: set[str]) -> None:
    """All but the PID namespace, before torch starts threads: a user namespace (needed when
    not root) can only be entered by a single-threaded process."""
    flags = 0
    for layer, flag in NAMESPACE_FLAGS:
        if layer in layers:
            flags |= flag
    if not flags and "pid-namespace" not in layers:
        return
    names = [layer for layer, _ in NAMESPACE_FLAGS if layer in layers]
    try:
        if os.geteuid() == 0:
            if flags:
                linux.unshare(flags)
        else:  # namespaces without root: first become root of a user namespace of our own
            uid, gid = os.geteuid(), os.getegid()
            linux.unshare(linux.CLONE_NEWUSER | flags)
            linux.write_id_maps(0, uid, 0, gid)
    except OSError as exc:
        raise LayerFailed(" / ".join(names) or "user-namespace", exc) from None


def _enter_pid_namespace(layers: set[str]) -> None:
    """After the warm-up: a process that unshared its PID namespace cannot start threads any
    more (its next child, the init, can)."""
    if "pid-namespace" in layers:
        try:
            linux.unshare(linux.CLONE_NEWPID)
        except OSError as exc:
            raise LayerFailed("pid-namespace", exc) from None


def _refuse(ctrl: socket.socket, exc: LayerFailed) -> None:
    try:
        ctrl.send(json.dumps({"ready": False, "layer": exc.layer, "error": str(exc)}).encode())
    except OSError:
        pass


# -- the init: PID 1 of the namespace, forks the children ----------------------------------------
@dataclass
class Child:
    pid: int
    scratch: str
    sock: socket.socket  # the judge's end of the job socket, until it is handed over
    pidfd: int


class Init:
    def __init__(self, ctrl: socket.socket, plan: Plan, alive_fd: int, real_root: bool):
        self.ctrl = ctrl
        self.plan = plan
        self.layers = set(plan.layers)
        self.alive_fd = alive_fd
        # root of the host: each child drops to an unprivileged uid of its own (from a block
        # drawn at random per zygote), so no child passes the same-user checks of another
        # (prlimit, setpriority, its files); anyone else is root of a user namespace of their own
        # already, with only their own uid mapped, and children keep it (seccomp then refuses
        # those calls on any process but the caller)
        self.root = real_root
        self.uid_base = SANDBOX_UID_BASE + secrets.randbelow(UID_BLOCKS) * UIDS_PER_ZYGOTE
        self.view: fsview.View | None = None
        self.scratch_base: str | None = None
        self.landlock_abi = 0
        self.seccomp_program: bytes | None = None  # compiled once, loaded by every child
        self.hot_pages: list[tuple[int, int]] = []  # what a child copies before its job (page runs)
        self.base_vm = 0
        self.read_paths: list[str] = []
        self.devices: list[str] = []
        self.count = 0
        self.ready: list[Child] = []  # forked ahead, sandboxed, waiting for their jobs (oldest first)
        self.running: Child | None = None
        self.running_status = None  # (wait status, rusage) if reaped before the judge asked
        self.dying: set[int] = set()  # killed, not reaped yet
        # fork the next child while one runs only when it cannot be reached from the running one
        self.overlap = {"seccomp", "landlock", "pid-namespace", "mount-namespace"} <= self.layers
        # two children ready: the one the next job gets, and one to spare, forked after a job ends
        # rather than while the next one runs (forking and sandboxing take CPU from the job)
        self.depth = 2 if self.overlap else 1

    def run(self) -> None:
        os.environ.clear()
        os.environ.update(CLEAN_ENV)
        tempfile.tempdir = None
        try:
            self._set_up()
        except LayerFailed as exc:
            _refuse(self.ctrl, exc)
            return
        self.ctrl.send(json.dumps({"ready": True, "layers": sorted(self.layers), "landlock_abi": self.landlock_abi}).encode())
        try:
            self._top_up()
            self._serve()
        finally:  # the judge closed the socket (or we failed): leave nothing behind
            for child in [*self.ready, self.running]:
                if child is not None:
                    _kill(child.pidfd)
            if self.scratch_base is not None:
                shutil.rmtree(self.scratch_base, ignore_errors=True)

    def _set_up(self) -> None:
        self.base_vm = vm_size_bytes()  # children read their own; this is the fallback
        if os.getpid() != 1:  # no PID namespace: orphans must still come back to us to be killed
            linux.become_subreaper()
        if "ipc-namespace" in self.layers:  # our own UTS namespace: the host's name is not shown
            try:
                linux.sethostname("mlkatas-sandbox")
            except OSError:
                pass
        if "landlock" in self.layers:
            try:
                self.landlock_abi = landlock.abi_version()
            except OSError as exc:
                raise LayerFailed("landlock", exc) from None
        if "seccomp" in self.layers:
            from mlkatas.judge.sandbox import seccomp

            try:
                self.seccomp_program = seccomp.compile_program()
            except (OSError, RuntimeError, ValueError) as exc:
                raise LayerFailed("seccomp", exc) from None
        if "mount-namespace" in self.layers:
            try:
                self.view = fsview.build(self.plan.hidden)
            except OSError as exc:
                raise LayerFailed("mount-namespace", exc) from None
        else:
            self.scratch_base = tempfile.mkdtemp(prefix="mlkatas-scratch-")
            os.chmod(self.scratch_base, 0o711)
        # Landlock mirrors the view, split around the hidden folders (it can only allow)
        roots = self.view.read if self.view is not None else fsview.read_paths()
        self.read_paths = split_around(roots, [os.path.realpath(h) for h in self.plan.hidden])
        self.devices = self.view.devices if self.view is not None else ["/dev/null"]
        warm_template()
        self.hot_pages = pages_a_job_writes()

    def _serve(self) -> None:
        while True:
            try:
                msg, fds, _flags, _addr = socket.recv_fds(self.ctrl, 65536, 4)
            except OSError:
                return
            for fd in fds:
                os.close(fd)
            if not msg:
                return  # the judge is gone: so is this namespace
            request = json.loads(msg)
            op = request.get("op")
            if op == "take":
                child = self.ready.pop(0) if self.ready else self._fork_child()
                self.running, self.running_status = child, None
                reply = json.dumps({"pid": child.pid}).encode()
                socket.send_fds(self.ctrl, [reply], [child.sock.fileno(), child.pidfd])
                child.sock.close()
                if self.overlap and not self.ready:  # jobs come faster than children: one now
                    self.ready.append(self._fork_child())
            elif op in ("wait", "release"):
                child = self.running
                if child is None or child.pid != request.get("pid"):
                    return
                self.running = None
                if op == "wait":  # it ended early: the judge needs its exit status
                    if self.running_status is None:
                        self.running_status = os.wait4(child.pid, 0)[1:]
                    status, usage = self.running_status
                    self._clean_up(child)
                    self.ctrl.send(json.dumps({
                        "exit": os.waitstatus_to_exitcode(status),
                        "maxrss_kb": usage.ru_maxrss,
                        "cpu_s": usage.ru_utime + usage.ru_stime,
                    }).encode())
                else:  # it said "done": kill it and reap it later (tearing down its memory takes a while)
                    _kill(child.pidfd)
                    self._clean_up(child)
                    self.dying.add(child.pid)
                self._top_up()
            else:
                return
            self._reap()

    def _top_up(self) -> None:
        while len(self.ready) < self.depth:
            self.ready.append(self._fork_child())

    def _clean_up(self, child: Child) -> None:
        """Nothing of a submission outlives it: every process below the init but the children
        waiting for their jobs is killed (none can exist while seccomp refuses fork; this is the
        second line: without a PID namespace, orphans come back to the init as subreaper)."""
        _kill(child.pidfd)
        os.close(child.pidfd)
        self.dying |= linux.kill_descendants(keep={c.pid for c in self.ready})
        self._drop_scratch(child.scratch)

    def _reap(self) -> None:
        for pid in list(self.dying):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid  # not ours (an orphan reparented to us is reaped below)
            if done:
                self.dying.discard(pid)
        while True:  # orphans reparented to the init, children that died on their own
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.dying.discard(pid)
            if self.running is not None and pid == self.running.pid:
                self.running_status = (status, usage)
            for child in [c for c in self.ready if c.pid == pid]:  # it died waiting: forked again later
                child.sock.close()
                os.close(child.pidfd)
                self._drop_scratch(child.scratch)
                self.ready.remove(child)

    # -- children ---------------------------------------------------------------------------
    def _new_child_ids(self) -> tuple[int, int]:
        """The next child's number and the uid (and gid) its code runs as."""
        self.count += 1
        return self.count, (self.uid_base + self.count % UIDS_PER_ZYGOTE if self.root else 0)

    def _new_scratch(self, number: int, uid: int) -> str:
        if self.view is not None:
            return fsview.new_scratch(number, uid, uid, self.plan.scratch_mb)
        path = os.path.join(self.scratch_base, str(number))
        os.mkdir(path, 0o700)
        if self.root:
            os.chown(path, uid, uid)
        return path

    def _drop_scratch(self, path: str) -> None:
        if self.view is not None:
            fsview.drop_scratch(path)
        else:
            shutil.rmtree(path, ignore_errors=True)

    def _fork_child(self) -> Child:
        number, uid = self._new_child_ids()
        scratch = self._new_scratch(number, uid)
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                mine.close()
                run_child(theirs, scratch, uid, self)
            finally:
                os._exit(READY_EXIT)
        theirs.close()
        return Child(pid, scratch, mine, os.pidfd_open(pid))


def _kill(pidfd: int) -> None:
    try:
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except OSError:
        pass


# -- the child ----------------------------------------------------------------------------------
def run_child(sock: socket.socket, scratch: str, uid: int, init: Init) -> None:
    """Enter the sandbox, say so, take one job, run it. Never returns into the init's loop."""
    from mlkatas.judge.worker import child
    from mlkatas.judge.protocol import wire

    try:
        base_vm = enter_sandbox(sock, scratch, uid, init)
    except BaseException as exc:  # noqa: BLE001 - tell the judge, run nothing
        try:
            wire.send_frame(sock, {"event": "sandbox_failed", "error": f"{type(exc).__name__}: {exc}"})
        finally:
            os._exit(READY_EXIT)
    # the child's copy of the init forgets where the packs are (learner code could find it via gc)
    init.plan.hidden.clear()
    init.read_paths.clear()
    child.SpareThread.start_spare()  # the case watchdog, started now rather than during the job
    wire.send_frame(sock, {"event": "sandboxed"})
    header, _ = wire.recv_frame(sock, 1 << 16)
    limits = header.get("limits", {})
    plan = init.plan
    apply_rlimits(
        cpu_s=float(limits["cpu_s"]), memory_mb=int(limits["memory_mb"]), file_mb=plan.file_mb,
        open_files=plan.open_files, threads=plan.threads, base_vm=base_vm,
    )
    child.serve(sock.fileno())


def enter_sandbox(sock: socket.socket, scratch: str, uid: int, init: Init) -> int:
    """Every layer of the plan, in an order where each step still has what it needs. Returns
    the address space in use before the job, the base of the memory limit."""
    layers = init.layers
    os.setsid()  # own session and process group, away from the init's
    keep = sock.fileno()
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 20)
    try:
        base_vm = vm_size_bytes()
    except OSError:
        base_vm = init.base_vm
    os.environ.clear()
    os.environ.update(CLEAN_ENV, HOME=scratch, TMPDIR=scratch)
    tempfile.tempdir = scratch
    if init.view is not None:  # a mount namespace of its own: no other child's scratch in sight
        fsview.isolate_scratch(scratch)
    os.chdir(scratch)
    sys.path[:] = [p for p in sys.path if p]  # no cwd-relative imports
    rules = None
    if "landlock" in layers:  # the rules open their paths: while still privileged
        rules, _ = landlock.ruleset(init.landlock_abi, read=init.read_paths, write=[scratch], devices=init.devices)
    ipc = linux.CLONE_NEWIPC if "ipc-namespace" in layers else 0  # no SysV IPC left by the previous child
    userns = "user-namespace" in layers
    if ipc and not userns:
        linux.unshare(ipc)  # while still privileged
    if init.root:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    if userns:
        linux.set_dumpable(True)  # the uid change cleared it; writing the id maps needs it
        uid, gid = os.geteuid(), os.getegid()
        linux.unshare(linux.CLONE_NEWUSER | ipc)
        linux.write_id_maps(uid, uid, gid, gid)
    linux.drop_capabilities()
    linux.set_dumpable(False)  # no ptrace, no /proc/<pid> for anyone of the same uid
    linux.populate_write(init.hot_pages)  # while the judge is busy elsewhere, not during the job
    linux.set_no_new_privs()
    if rules is not None:
        landlock.enforce(rules)
    if init.seccomp_program is not None:
        from mlkatas.judge.sandbox import seccomp

        seccomp.load_program(init.seccomp_program, os.getpid())
    return base_vm


def split_around(roots: list[str], hidden: list[str]) -> list[str]:
    """`roots` with every folder in `hidden` left out: a root that contains a hidden folder is
    replaced by its entries, recursively along the way down to the hidden folder."""
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


REHEARSAL = """
import torch
from einops import rearrange, reduce, repeat


def rehearsal(x):
    y = rearrange(x, "a ... -> a (...)")
    print(reduce(y, "a b -> a", "sum").shape, repeat(y, "a b -> a b r", r=2).shape)
    return y.flatten()[torch.argsort(y.flatten(), stable=True)]
"""


def warm_template() -> None:
    """Make the init a template every child inherits warm: run a few small jobs through the
    child's own code (so every first call, import and specialised bytecode is done once, here),
    freeze the heap out of the garbage collector's reach, and put it on huge pages. Without the
    freeze, the first full collection in a child walks every object inherited from torch's import
    and copies each page it touches: one case of a verdict took 11 ms instead of 0.1. Huge pages
    cut the fork and the exit of a child from ~4 ms each to ~1.6, and its job runs faster too
    (fewer TLB misses). All of it only saves time: a rehearsal that fails is reported on the
    zygote's stderr, and the children are forked anyway."""
    try:
        for _ in range(3):
            rehearse()
    except Exception:  # noqa: BLE001 - a slower child is better than no judge
        traceback.print_exc()
    gc.collect()
    gc.freeze()
    linux.collapse_anonymous_memory()


def pages_a_job_writes() -> list[tuple[int, int]]:
    """The pages of the template a child copies when it runs a job: learnt once by a probe child
    that rehearses one and reports which pages it holds a copy of afterwards. Empty on failure
    (a speed-up only)."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return []
    if pid == 0:
        try:
            os.close(read_end)
            before = linux.private_pages()
            rehearse()
            written = linux.private_pages() - before
            with os.fdopen(write_end, "wb") as out:
                out.write(b"".join(page.to_bytes(8, "little") for page in sorted(written)))
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as report:
        data = report.read()
    os.waitpid(pid, 0)
    return linux.page_runs({int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data) - 7, 8)})


def rehearse() -> None:
    """Run a tiny job through the same code as a real one (decode, check, call, encode, send)."""
    import linecache

    import torch

    from mlkatas.judge.worker import child
    from mlkatas.judge.protocol import wire

    values = [
        torch.randn(2, 3, 4), torch.arange(6, dtype=torch.int64).reshape(2, 3), torch.ones(3, dtype=torch.bool),
        torch.randn(4, 4).to(torch.bfloat16), torch.randn(2, 2, dtype=torch.float64).t(), torch.arange(4, dtype=torch.int32),
    ]
    arena = wire.Arena()
    cases = [wire.encode_case([v], [], {}, arena) for v in values]
    for case in cases:
        del case["spans"]  # the judge's, not sent
    job = {"source": REHEARSAL, "filename": "<rehearsal>", "entry": "rehearsal", "kind": "function", "cases": cases,
           "probes": [], "output_bytes": 1 << 20, "log_bytes": 1024}
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    saved = sys.stdout, sys.stderr
    try:
        sys.stdout = sys.stderr = child.BoundedText(1024)
        with SharedInputs(arena.tobytes()) as shared:  # as the judge sends them: a shared mapping
            session = child.ChildSession(mine, job, child.map_inputs(os.dup(shared.fd)))
        entry = session.load()
        for index, case in enumerate(cases):
            session.run_case(index, entry, case)
        session.finish(sys.stdout.text())
        if session.outbox.watchdog is not None:  # no thread of ours may be alive at the next fork
            session.outbox.watchdog.join()
        theirs.setblocking(False)
        try:
            while theirs.recv(1 << 16):
                pass
        except BlockingIOError:
            pass
    finally:
        sys.stdout, sys.stderr = saved
        mine.close()
        theirs.close()
        linecache.cache.pop("<rehearsal>", None)

