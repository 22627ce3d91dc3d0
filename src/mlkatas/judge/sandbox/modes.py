"""Sandbox modes, and what the strict one needs from this machine.

`local`: your own code on your own machine (like rustlings): the process boundary and resource
limits; no kernel features needed, so it runs on macOS too.

`strict`: code from anyone (the web site, a shared grader). Every layer below, or strict mode
refuses to start and names what is missing:

    user-namespace      learner code runs as an unprivileged uid in a user namespace of its own,
                        with no capabilities
    pid-namespace       it sees no process outside its zygote; kill(-1) cannot reach the judge
    mount-namespace     its file system is a private view: read-only libraries, a scratch
                        tmpfs, no kata packs, no /etc, no home folders
    network-namespace   no network interface but a loopback that is down
    ipc-namespace       no System V IPC shared with the host or with the previous submission
    landlock            the kernel's own allow-list of files (and TCP, signals on ABI >= 6)
    seccomp             no fork, exec, new sockets, ptrace, mounts, namespaces, bpf...

plus rlimits (CPU time, address space, file size, open files, threads), a clean environment and
a wall-clock kill, which need nothing from the kernel.

`allow_weaker=True` (CLI: `--allow-weaker-sandbox`) runs strict mode with the layers that exist,
logs a warning that names the missing ones and marks every verdict; it never happens silently.
`MLKATAS_SIMULATE_MISSING=landlock,seccomp` makes the probe report layers as missing (tests).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from mlkatas.judge.sandbox.probe import LAYERS

MODES = ("local", "strict")
SIMULATE_ENV = "MLKATAS_SIMULATE_MISSING"
log = logging.getLogger("mlkatas.judge")


class SandboxUnavailable(RuntimeError):
    """Strict mode cannot protect this machine; the message names what is missing."""

    def __init__(self, message: str, missing: dict[str, str] | None = None):
        super().__init__(message)
        self.missing = dict(missing or {})


@dataclass(frozen=True)
class SandboxPlan:
    mode: str
    layers: tuple[str, ...] = ()  # the layers strict mode will apply
    missing: dict[str, str] = field(default_factory=dict)  # layer -> why it is not available

    @property
    def weaker(self) -> bool:
        return self.mode == "strict" and bool(self.missing)

    def note(self) -> str:
        """One line for logs and verdicts; empty for a complete sandbox."""
        if not self.weaker:
            return ""
        return "weaker strict sandbox (allowed by allow_weaker): without " + ", ".join(sorted(self.missing))


_probe_lock = threading.Lock()
_probe_cache: dict[int, dict[str, str | None]] = {}


def probe_kernel() -> dict[str, str | None]:
    """Each layer -> None if it works here, else why not. Tried for real in a small helper
    process (no torch; namespaces can only be tested by entering them); cached per process."""
    euid = os.geteuid()
    with _probe_lock:
        if euid not in _probe_cache:
            _probe_cache[euid] = _run_probe()
        return dict(_probe_cache[euid])


def _run_probe() -> dict[str, str | None]:
    if not sys.platform.startswith("linux"):
        return {layer: f"{sys.platform} is not Linux" for layer in LAYERS}
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-m", "mlkatas.judge.sandbox.probe"],
            capture_output=True, text=True, timeout=60, cwd="/",
        )
        answer = json.loads(done.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        return {layer: f"the sandbox probe failed ({exc})" for layer in LAYERS}
    return {layer: answer.get(layer, "not probed") for layer in LAYERS}


def simulated_missing() -> set[str]:
    names = {n.strip() for n in os.environ.get(SIMULATE_ENV, "").split(",") if n.strip()}
    unknown = names - set(LAYERS)
    if unknown:
        raise ValueError(
            f"{SIMULATE_ENV} names unknown layer(s) {', '.join(sorted(unknown))}; layers: {', '.join(LAYERS)}"
        )
    return names


def plan_for(mode: str, allow_weaker: bool = False) -> SandboxPlan:
    """Check the mode; for strict, probe the kernel and refuse (SandboxUnavailable) when a layer
    is missing, unless `allow_weaker`."""
    if mode not in MODES:
        raise ValueError(f"unknown sandbox {mode!r}: use one of {', '.join(MODES)}")
    if mode == "local":
        return SandboxPlan("local")
    found = probe_kernel()
    for layer in simulated_missing():
        found[layer] = f"simulated as missing ({SIMULATE_ENV})"
    missing = {layer: why for layer, why in found.items() if why}
    if missing and not allow_weaker:
        lines = "; ".join(f"{layer}: {why}" for layer, why in missing.items())
        raise SandboxUnavailable(
            f"the strict sandbox cannot run here: missing {', '.join(missing)} ({lines}). "
            "Use sandbox='local' for your own code, or allow_weaker=True (--allow-weaker-sandbox) "
            "to run strict mode without these layers, knowingly.",
            missing,
        )
    plan = SandboxPlan("strict", tuple(layer for layer in LAYERS if layer not in missing), missing)
    if plan.weaker:
        log.warning("mlkatas judge: %s", plan.note())
    return plan
