"""Fixtures of the hostile suite: warm judges, canaries, and facts about the strict sandbox.

Attacks that only the strict sandbox can stop (files, network, processes, signals) take the
`sandboxed` fixture: strict only. Set MLKATAS_HOSTILE_PROBE_LOCAL=1 to run the ones that are
harmless on a developer's machine against the local judge as well: there they are expected to
escape and fail, which proves the assertions can catch an escape. Attacks the trust boundary
must stop in every mode (forged verdicts, patched comparisons, limits) take `judge`, which runs
them against both judges.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlkatas.judge import Judge

from ._harness import SECRET_ENV, SLUG, processes_with

PROBE_LOCAL = os.environ.get("MLKATAS_HOSTILE_PROBE_LOCAL") == "1"


@dataclass
class Canary:
    dir: Path  # outside any scratch folder; only the test process may touch it
    file: Path
    token: str  # the secret inside `file`


@pytest.fixture(scope="session")
def env_secret():
    """A secret in the environment of the process that starts the judges (set before they start)."""
    value = "envsecret" + secrets.token_hex(16)
    old = os.environ.get(SECRET_ENV)
    os.environ[SECRET_ENV] = value
    yield value
    if old is None:
        os.environ.pop(SECRET_ENV, None)
    else:
        os.environ[SECRET_ENV] = old


@pytest.fixture(scope="session")
def canary(tmp_path_factory) -> Canary:
    folder = tmp_path_factory.mktemp("canary")
    token = "filesecret" + secrets.token_hex(16)
    path = folder / "secret.txt"
    path.write_text(token + "\n")
    return Canary(folder, path, token)


@pytest.fixture
def outside(tmp_path) -> Path:
    """A fresh folder outside the scratch folder that attacks try to write into."""
    return tmp_path


@pytest.fixture(scope="session")
def strict_judge(env_secret, catalog):
    # No skip: a machine that cannot run the strict judge fails this suite with the reason.
    with Judge(sandbox="strict", catalog=catalog) as j:
        yield j


@pytest.fixture(scope="session")
def local_judge(env_secret, catalog):
    with Judge(sandbox="local", catalog=catalog) as j:
        yield j


@pytest.fixture(params=["local", "strict"])
def judge(request):
    """Attacks the process boundary must stop in both modes."""
    return request.getfixturevalue(f"{request.param}_judge")


@pytest.fixture(params=["strict", "local"] if PROBE_LOCAL else ["strict"])
def sandboxed(request):
    """Attacks only the strict sandbox stops (plus, on request, the local judge to watch them escape)."""
    return request.getfixturevalue(f"{request.param}_judge")


PROBE = '''
import ctypes, time
ctypes.CDLL(None).prctl(15, @NAME@, 0, 0, 0)  # PR_SET_NAME: the test finds this process by its name
time.sleep(2)


def split_heads(x, num_heads):
    return x
'''

FORK_PROBE = '''
import os
try:
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
    print("FORK-ALLOWED")
except OSError as exc:
    print(f"FORK-REFUSED {exc}")


def split_heads(x, num_heads):
    return x
'''


def _host_view(pid: int) -> dict:
    """What the host's /proc says about a process: its PID namespace, seccomp mode, pids."""
    facts = {"pid_ns": None}
    try:
        facts["pid_ns"] = os.readlink(f"/proc/{pid}/ns/pid")
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("NSpid", "Seccomp", "NoNewPrivs", "Uid"):
                    facts[key] = value.split()
    except OSError as exc:
        facts["error"] = str(exc)
    return facts


@pytest.fixture(scope="session")
def strict_facts(strict_judge) -> dict:
    """What the host sees of a strict child (its PID namespace, seccomp mode) and whether it can
    fork. Attacks that would hurt this machine if they escaped (kill(-1), fork bombs) run only
    when these show the layers that contain them."""
    name = "mkprobe" + secrets.token_hex(4)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (strict_judge.grade(SLUG, PROBE.replace("@NAME@", repr(name.encode())),
                                                                 limits={"wall_s": 10, "cpu_s": 5}), done.set()))
    worker.start()
    facts: dict = {"found": False}
    while not done.is_set() and not facts["found"]:
        pids = processes_with(name)
        if pids:
            facts.update(_host_view(pids[0]), found=True)
        time.sleep(0.02)
    worker.join()
    facts["host_pid_ns"] = os.readlink("/proc/self/ns/pid")
    v = strict_judge.grade(SLUG, FORK_PROBE, limits={"wall_s": 10, "cpu_s": 5})
    # refused with an error, or the child killed for trying (a seccomp kill: SIGSYS); anything else is unknown
    if "FORK-ALLOWED" in v.output:
        facts["fork"] = "allowed"
    elif "FORK-REFUSED" in v.output or (v.status == "error" and "SIGSYS" in v.summary):
        facts["fork"] = f"refused ({v.output.strip()[:200] or v.summary})"
    else:
        facts["fork"] = f"unknown ({v.status}: {v.summary})"
    return facts
