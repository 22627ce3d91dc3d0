"""The judge: runs a learner's code in an isolated child and returns a Verdict."""

from mlkatas.engine.verdict import CaseResult, Verdict
from mlkatas.judge.judge import Judge
from mlkatas.judge.sandbox import SandboxUnavailable

__all__ = ["Judge", "Verdict", "CaseResult", "SandboxUnavailable"]
