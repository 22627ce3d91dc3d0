"""The zygote: a warm process (torch, einops and numpy imported) that forks one child per job.

Started by the judge with one end of a control socket. It holds no expected outputs and no
reference solutions, so a child forked from it finds nothing in memory worth stealing. Messages
on the control socket are small JSON objects; the job's data goes straight from the judge to the
child over a socket the judge passes along with the spawn request.

This module is the `local` zygote; `python -m mlkatas.judge.worker.zygote_main FD strict` hands over to the
strict one (strict.py), which enters its namespaces before anything starts a thread. Its plan (which
folders to hide) comes as the first message on the control socket, not on the command line.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

from mlkatas.judge.sandbox import linux


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
    import mlkatas.judge.worker.child  # noqa: F401 - its imports too, before any sandbox

    with mlkatas.judge.worker.child.OpCounter():
        torch.bmm(x, x.transpose(1, 2))
    import mlkatas.judge.sandbox.modes  # noqa: F401
    import mlkatas.judge.worker.strict  # noqa: F401


def spawn(ctrl: socket.socket, request: dict, fds: list[int], mode: str) -> int:
    pid = os.fork()
    if pid == 0:  # the child
        code = 70
        try:
            ctrl.close()
            os.setpgid(0, 0)  # its own process group: the judge kills the group on a timeout
            from mlkatas.judge.worker import child
            from mlkatas.judge.sandbox import modes as sandbox

            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            sandbox.enter(mode, request["limits"], keep_fds=fds[:1])
            child.serve(fds[0])
        except BaseException:  # noqa: BLE001 - a child must never return into the zygote's loop
            pass
        finally:
            os._exit(code)
    try:
        os.setpgid(pid, pid)  # also from this side, so the group exists before the judge kills it
    except OSError:
        pass
    for fd in fds:
        os.close(fd)
    return pid


def serve(ctrl: socket.socket, mode: str) -> None:
    linux.become_subreaper()  # what a child leaves running comes back to us, to be killed
    ctrl.send(json.dumps({"ready": True, "pid": os.getpid()}).encode())
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(ctrl, 65536, 4)
        except OSError:
            return
        if not msg:
            return
        request = json.loads(msg)
        op = request.get("op")
        if op == "spawn":
            reply = {"pid": spawn(ctrl, request, fds, mode)}
        elif op == "wait":
            _, status, usage = os.wait4(int(request["pid"]), 0)
            linux.kill_descendants()  # what it started in a session of its own outlives its group's kill
            reap_orphans()  # those that died by now; the rest at the next job's end (no child runs then)
            reply = {"exit": os.waitstatus_to_exitcode(status), "cpu_s": usage.ru_utime + usage.ru_stime}
        else:
            return
        ctrl.send(json.dumps(reply).encode())


def reap_orphans() -> None:
    """Collect the exit status of killed descendants that were reparented to us."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main(argv: list[str]) -> None:
    ctrl = socket.socket(fileno=int(argv[1]))
    mode = argv[2] if len(argv) > 2 else "local"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the judge's to handle
    if mode == "strict":
        # namespaces first (a user namespace needs a single-threaded process: before torch)
        from mlkatas.judge.worker import strict

        strict.boot(ctrl, strict.Plan.from_json(json.loads(ctrl.recv(1 << 20))["plan"]), warm_up)
        return
    warm_up()
    serve(ctrl, mode)


if __name__ == "__main__":
    main(sys.argv)
