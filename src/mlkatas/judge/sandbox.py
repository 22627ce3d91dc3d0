"""What a child does to itself between the fork and the learner's code.

`local`: your own code on your own machine; the process boundary and resource limits.
`strict`: code from anyone; see the strict judge (not available in this version yet).
"""

from __future__ import annotations

from mlkatas.judge.limits import apply_rlimits

MODES = ("local", "strict")


class SandboxUnavailable(RuntimeError):
    """Strict mode cannot protect this machine; the message names what is missing."""


def check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown sandbox {mode!r}: use one of {', '.join(MODES)}")
    if mode == "strict":
        raise SandboxUnavailable(
            "the strict sandbox is not available yet in this version; use sandbox='local' for your own code"
        )


def enter(mode: str, limits: dict, keep_fds: list[int]) -> None:
    apply_rlimits(cpu_s=limits["cpu_s"], memory_mb=limits["memory_mb"])
