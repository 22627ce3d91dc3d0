"""The strict zygote: a warm torch process inside its own namespaces, forking sandboxed children.

Process tree (the judge is the trusted parent; everything below it may meet learner code):

    judge ── boot process (host PID namespace; waits, then exits with the init)
               └─ init: PID 1 of a new PID namespace, in new mount, network, IPC and UTS
                  namespaces; private file-system view (fsview); holds no secrets
                    └─ one child per submission, forked ahead of time and sandboxed before
                       it ever sees a job (sandbox.enter): own user, mount and IPC namespaces
                       (its /scratch shows its own folder only), a uid of its own (as root), no
                       capabilities, Landlock, seccomp; rlimits once the judge sends them

The init serves the control protocol (worker.server, protocol.control). Two children wait ready;
the one taken is replaced once its job has ended (forking and sandboxing the next one would take
CPU from the job), or at once when none is left (jobs coming faster than children). Between two
children it kills every process below it but the children waiting for a job, and unmounts the
finished child's scratch tmpfs, so nothing of one submission reaches the next.
"""

from __future__ import annotations

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
from typing import Callable

from mlkatas.judge.protocol import control
from mlkatas.judge.sandbox import fsview, landlock, linux, namespaces, seccomp
from mlkatas.judge.sandbox.enter import CLEAN_ENV, SandboxSpec, enter_sandbox, split_around
from mlkatas.judge.sandbox.rlimits import apply_rlimits, vm_size_bytes
from mlkatas.judge.worker.server import Child, ZygoteServer
from mlkatas.judge.worker.template import pages_a_job_writes, warm_template

SANDBOX_UID_BASE = 1 << 30  # children's uids (as root): far above any account's
UIDS_PER_ZYGOTE = 1 << 16
UID_BLOCKS = 1 << 14  # blocks of UIDS_PER_ZYGOTE below 2**31
READY_EXIT = 70  # a child that could not set itself up (as worker.child.READY_EXIT)


class LayerFailed(RuntimeError):
    """A layer of the plan could not be applied: the zygote refuses, naming it."""

    def __init__(self, layer: str, error: BaseException | str):
        self.layer = layer
        super().__init__(f"{layer}: {error}")


@dataclass
class Plan:
    """What the judge asks of a strict zygote (sent on the control socket: a command line is
    readable in /proc)."""

    layers: list[str]
    hidden: list[str]  # folders the children must not see (the kata packs)
    scratch_mb: int = 64
    file_mb: int = 16
    open_files: int = 64
    threads: int = 256  # processes+threads of a child's uid (RLIMIT_NPROC); the address space limits them too

    @classmethod
    def from_json(cls, text: str) -> "Plan":
        return cls(**json.loads(text))

    def to_json(self) -> str:
        return json.dumps(self.__dict__)


# -- the boot process ---------------------------------------------------------------------------
def boot(ctrl: socket.socket, plan: Plan, warm_up: Callable[[], None]) -> None:
    """Enter the namespaces, warm torch up, fork the init, and wait for it."""
    layers = set(plan.layers)
    real_root = os.geteuid() == 0  # before a user namespace makes everyone root
    try:
        if "seccomp" in layers:
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
            Init(ctrl, plan, real_root).run()
            code = 0
        except BaseException:  # noqa: BLE001 - the judge shows the zygote's stderr when it stops answering
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(alive_read)
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


def _enter_namespaces(layers: set[str]) -> None:
    """All but the PID namespace, before torch starts threads: a user namespace (needed when
    not root) can only be entered by a single-threaded process."""
    flags = namespaces.zygote_flags(layers)
    if not flags and "pid-namespace" not in layers:
        return
    try:
        namespaces.enter_as_owner(flags)
    except OSError as exc:
        names = [layer for layer, _ in namespaces.ZYGOTE_NAMESPACES if layer in layers]
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
        ctrl.send(control.encode(control.ZygoteRefused(exc.layer, str(exc))))
    except OSError:
        pass


# -- the init: PID 1 of the namespace, forks the children ----------------------------------------
class Init(ZygoteServer):
    """PID 1 of the strict zygote's namespace: prepares the sandbox once (the view, Landlock's
    allow-list, the compiled seccomp filter, the warm template), then serves the judge, keeping
    children sandboxed and waiting."""

    def __init__(self, ctrl: socket.socket, plan: Plan, real_root: bool):
        super().__init__(ctrl)
        self.plan = plan
        self.layers = set(plan.layers)
        # root of the host: each child drops to an unprivileged uid of its own (from a block
        # drawn at random per zygote), so no child passes the same-user checks of another
        # (prlimit, setpriority, its files); anyone else is root of a user namespace of their own
        # already, with only their own uid mapped, and children keep it (seccomp then refuses
        # those calls on any process but the caller)
        self.root = real_root
        self.uid_base = SANDBOX_UID_BASE + secrets.randbelow(UID_BLOCKS) * UIDS_PER_ZYGOTE
        self.view: fsview.View | None = None
        self.scratch_base: str | None = None
        self.spec = SandboxSpec(self.layers, as_root=real_root, isolate_scratch=False)
        self.count = 0
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
        self.send(control.ZygoteReady(sorted(self.layers), self.spec.landlock_abi))
        try:
            self.serve()
        finally:
            if self.scratch_base is not None:
                shutil.rmtree(self.scratch_base, ignore_errors=True)

    def _set_up(self) -> None:
        spec = self.spec
        spec.base_vm = vm_size_bytes()  # children read their own; this is the fallback
        if os.getpid() != 1:  # no PID namespace: orphans must still come back to us to be killed
            linux.become_subreaper()
        if "ipc-namespace" in self.layers:  # our own UTS namespace: the host's name is not shown
            try:
                linux.sethostname("mlkatas-sandbox")
            except OSError:
                pass
        if "landlock" in self.layers:
            try:
                spec.landlock_abi = landlock.abi_version()
            except OSError as exc:
                raise LayerFailed("landlock", exc) from None
        if "seccomp" in self.layers:
            try:
                spec.seccomp_program = seccomp.compile_program()
            except (OSError, RuntimeError, ValueError) as exc:
                raise LayerFailed("seccomp", exc) from None
        if "mount-namespace" in self.layers:
            try:
                self.view = fsview.build(self.plan.hidden)
            except OSError as exc:
                raise LayerFailed("mount-namespace", exc) from None
            spec.isolate_scratch = True
        else:
            self.scratch_base = tempfile.mkdtemp(prefix="mlkatas-scratch-")
            os.chmod(self.scratch_base, 0o711)
        # Landlock mirrors the view, split around the hidden folders (it can only allow)
        roots = self.view.read if self.view is not None else fsview.read_paths()
        spec.read_paths = split_around(roots, [os.path.realpath(h) for h in self.plan.hidden])
        spec.devices = self.view.devices if self.view is not None else ["/dev/null"]
        warm_template()
        spec.hot_pages = pages_a_job_writes()

    # -- children ---------------------------------------------------------------------------
    def fork_child(self) -> Child:
        self.count += 1
        uid = self.uid_base + self.count % UIDS_PER_ZYGOTE if self.root else 0
        scratch = self._new_scratch(self.count, uid)
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                mine.close()
                self._run_child(theirs, scratch, uid)
            finally:
                os._exit(READY_EXIT)
        theirs.close()
        return Child(pid, mine, os.pidfd_open(pid), scratch)

    def _run_child(self, sock: socket.socket, scratch: str, uid: int) -> None:
        from mlkatas.judge.worker import child as child_harness  # torch: imported by the warm-up already

        spec, plan = self.spec, self.plan

        def enter() -> int:
            base_vm = enter_sandbox(sock, scratch, uid, spec)
            # the child's copy of the init forgets where the packs are (learner code could find it via gc)
            plan.hidden.clear()
            spec.read_paths.clear()
            return base_vm

        def apply_limits(limits: dict, base_vm: int | None) -> None:
            apply_rlimits(cpu_s=float(limits["cpu_s"]), memory_mb=int(limits["memory_mb"]), file_mb=plan.file_mb,
                          open_files=plan.open_files, threads=plan.threads, base_vm=base_vm)

        child_harness.run_child(sock, enter, apply_limits)

    def _new_scratch(self, number: int, uid: int) -> str:
        if self.view is not None:
            return fsview.new_scratch(number, uid, uid, self.plan.scratch_mb)
        assert self.scratch_base is not None
        path = os.path.join(self.scratch_base, str(number))
        os.mkdir(path, 0o700)
        if self.root:
            os.chown(path, uid, uid)
        return path

    def drop_scratch(self, child: Child) -> None:
        if child.scratch is None:
            return
        if self.view is not None:
            fsview.drop_scratch(child.scratch)
        else:
            shutil.rmtree(child.scratch, ignore_errors=True)
