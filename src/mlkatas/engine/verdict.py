"""The verdict: plain data every front end renders the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("passed", "failed", "error", "timeout", "memory")
KINDS = ("shape", "dtype", "type", "mutated_input", "rearranged", "values", "rule", "error", "timeout", "memory")


@dataclass
class CaseResult:
    name: str
    hidden: bool
    status: str  # "passed" | "failed" | "not run"
    kind: str | None = None  # one of KINDS when failed
    message: str = ""
    # Extra detail for rich front ends (not part of to_dict's contract): small tensors to draw.
    detail: dict = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        return {"name": self.name, "hidden": self.hidden, "status": self.status, "kind": self.kind, "message": self.message}


@dataclass
class Verdict:
    kata: str
    status: str
    summary: str
    cases: list[CaseResult] = field(default_factory=list)
    elapsed_ms: float = 0.0
    output: str = ""  # what the learner's code printed (cut to the log limit)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def first_failure(self) -> CaseResult | None:
        return next((c for c in self.cases if c.status == "failed"), None)

    @property
    def kind(self) -> str | None:
        failure = self.first_failure
        return failure.kind if failure else None

    def to_dict(self) -> dict:
        return {
            "kata": self.kata,
            "status": self.status,
            "summary": self.summary,
            "cases": [c.to_dict() for c in self.cases],
            "elapsed_ms": round(self.elapsed_ms, 3),
        }


def status_for(kind: str | None) -> str:
    """The verdict's status from the first failure's kind."""
    if kind is None:
        return "passed"
    if kind in ("error", "timeout", "memory"):
        return kind
    return "failed"
