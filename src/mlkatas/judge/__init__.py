"""The judge: runs a learner's code in an isolated child and returns a Verdict.

The names below load on first use, so the sandbox helpers in this package (the strict zygote's
boot code, the kernel probe) can be imported without torch.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Judge", "Verdict", "CaseResult", "SandboxUnavailable"]


def __getattr__(name: str) -> Any:
    if name == "Judge":
        from mlkatas.judge.judge import Judge

        return Judge
    if name in ("Verdict", "CaseResult"):
        from mlkatas.engine import verdict

        return getattr(verdict, name)
    if name == "SandboxUnavailable":
        from mlkatas.judge.sandbox.modes import SandboxUnavailable

        return SandboxUnavailable
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
