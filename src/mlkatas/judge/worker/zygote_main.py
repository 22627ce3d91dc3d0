"""The zygote's program: a warm process (torch, einops and numpy imported) that forks one child
per job. `python -m mlkatas.judge.worker.zygote_main FD MODE`, FD being its end of the control
socket.

It holds no expected outputs and no reference solutions, so a child forked from it finds
nothing in memory worth stealing. Local mode serves the control protocol at once (children
forked on request, with rlimits only); strict mode first reads its plan from the socket, then
hands over to worker.init, which enters its namespaces before anything starts a thread.
"""

from __future__ import annotations

import os
import signal
import socket
import sys

from mlkatas.judge.protocol import control
from mlkatas.judge.sandbox import linux
from mlkatas.judge.worker.server import Child, ZygoteServer


def warm_up() -> None:
    """Import and exercise what learners use, once, with one intra-op thread: a zygote that ran
    ops on torch's thread pool deadlocks its forked children."""
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    import einops
    import numpy  # noqa: F401

    x = torch.arange(24.0).reshape(2, 3, 4)
    einops.rearrange(x, "b h w -> b w h").contiguous()
    einops.reduce(x, "b h w -> b", "mean")
    torch.einsum("bij,bjk->bik", x, x.transpose(1, 2))
    torch.softmax(x, -1).topk(2)
    from mlkatas.judge.worker import child  # its imports too, before any sandbox

    with child.OpCounter():
        torch.bmm(x, x.transpose(1, 2))


class LocalZygote(ZygoteServer):
    """Your own code on your own machine: a child per job, forked when the judge asks, in a
    process group of its own, with rlimits (CPU, address space, file size, no core). What it
    starts is killed after its job (this zygote is a subreaper)."""

    def fork_child(self) -> Child:
        from mlkatas.judge.sandbox.rlimits import apply_rlimits
        from mlkatas.judge.worker import child as child_harness

        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                mine.close()
                self.ctrl.close()
                os.setpgid(0, 0)  # its own process group, away from the zygote's
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                child_harness.run_child(
                    theirs, lambda: None,
                    lambda limits, _base: apply_rlimits(
                        cpu_s=float(limits["cpu_s"]), memory_mb=int(limits["memory_mb"])
                    ),
                )
            finally:
                os._exit(child_harness.READY_EXIT)
        try:
            os.setpgid(pid, pid)  # also from this side, so the group exists before anyone signals it
        except OSError:
            pass
        theirs.close()
        pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
        return Child(pid, mine, pidfd)


def main(argv: list[str]) -> None:
    ctrl = socket.socket(fileno=int(argv[1]))
    mode = argv[2] if len(argv) > 2 else "local"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the judge's to handle
    if mode == "strict":
        # namespaces first (a user namespace needs a single-threaded process: before torch)
        from mlkatas.judge.worker import init

        plan = init.Plan.from_json(control.decode_plan(ctrl.recv(1 << 20)).plan)
        init.boot(ctrl, plan, warm_up)
        return
    warm_up()
    linux.become_subreaper()  # what a child leaves running comes back to us, to be killed
    zygote = LocalZygote(ctrl)
    zygote.send(control.ZygoteReady())
    zygote.serve()
    # The judge closed the socket and waits for this process to end: skip the interpreter's
    # teardown of torch (~0.4 s of a one-off `mlkatas check`); serve() left no child behind.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
