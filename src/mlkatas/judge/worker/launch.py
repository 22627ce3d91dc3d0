"""Starting a zygote process, without torch in this module: a one-off command (`mlkatas check`)
launches its zygote before it imports torch itself, so the zygote's import of torch and the
judge's own (to build the cases) run at once instead of one after the other.

`prelaunch(mode)` starts one ahead; the next Zygote of that mode takes it instead of starting
another (zygote.py). One that is never taken ends by itself when this process does: its control
socket closes, which is how every zygote is told to leave.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import IO

from mlkatas.judge.sandbox.enter import CLEAN_ENV


@dataclass
class LaunchedZygote:
    """A zygote process just started: its control socket, and the file its stderr goes to
    (read back when it dies). It has not said it is ready yet."""

    mode: str
    proc: subprocess.Popen
    ctrl: socket.socket
    stderr: IO[bytes]


_prelaunched: list[LaunchedZygote] = []
_lock = threading.Lock()


def zygote_env(mode: str) -> dict:
    """Local: the user's environment. Strict: only what Python needs to find the package; the
    judge's own variables (secrets, tokens) never reach a zygote."""
    if mode == "local":
        return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env = dict(CLEAN_ENV)
    # one thread for every numeric library: threads do not survive a fork
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    for name in ("PYTHONPATH", "MLKATAS_PACKS"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def launch(mode: str) -> LaunchedZygote:
    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - kept open: the zygote's stderr, read back after it dies
    # strict: -P keeps the current folder off sys.path (it would become part of the view)
    argv = [sys.executable, *(["-P"] if mode == "strict" else []), "-m", "mlkatas.judge.worker.zygote_main",
            str(child_end.fileno()), mode]
    try:
        proc = subprocess.Popen(
            argv,
            pass_fds=[child_end.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # Ctrl-C in a terminal reaches the judge, not the zygote
            env=zygote_env(mode),
            cwd="/" if mode == "strict" else None,
        )
    except BaseException:
        parent_end.close()
        stderr.close()
        raise
    finally:
        child_end.close()
    return LaunchedZygote(mode, proc, parent_end, stderr)


def prelaunch(mode: str) -> None:
    """Start a zygote of `mode` now, for the next Zygote of that mode to take."""
    launched = launch(mode)
    with _lock:
        _prelaunched.append(launched)


def take_prelaunched(mode: str) -> LaunchedZygote | None:
    """A zygote of `mode` started ahead by `prelaunch` (one that died meanwhile says why at its
    handshake, as any zygote does), or None."""
    with _lock:
        for launched in _prelaunched:
            if launched.mode == mode:
                _prelaunched.remove(launched)
                return launched
    return None
