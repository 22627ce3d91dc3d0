"""The verdict: plain data every front end renders the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlkatas.engine.lead import leading_failure
from mlkatas.engine.vocabulary import STOPPING_KINDS, Status

# Results that stand for the whole run rather than a check: the file did not load ("load"), or
# the child broke the protocol ("run"). They are not counted as checks.
RUN_RESULTS = frozenset({"load", "run"})


@dataclass
class CaseResult:
    """One case (or one kata rule) of a verdict: its name ("example", "hidden 7", "rule batched"),
    whether its data is hidden, its status (a CaseStatus) and, when it failed, the kind of mistake
    (a Kind) and the message that explains it.

    to_dict() is the stable, JSON-ready form: exactly {"name", "hidden", "status", "kind",
    "message"}, plain strings (kind None unless failed); `detail` is never part of it."""

    name: str
    hidden: bool
    status: str  # a CaseStatus: "passed" | "failed" | "not run"
    kind: str | None = None  # a Kind when failed
    message: str = ""
    # Extra detail for rich front ends (not part of to_dict's contract): small tensors to draw.
    detail: dict = field(default_factory=dict, repr=False)
    # A failed hidden case's seed (not in to_dict either): a front end offers to run a case like
    # it, values shown, in its own terms (the CLI: `check SLUG FILE --seed N`).
    seed: int | None = None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "hidden": self.hidden,
            "status": str(self.status),
            "kind": None if self.kind is None else str(self.kind),
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CaseResult":
        """Back from to_dict() (a stored verdict): without `detail` or `seed`, which it never held."""
        return cls(data["name"], bool(data["hidden"]), data["status"], data.get("kind"), data.get("message", ""))


@dataclass
class Verdict:
    """The judge's answer on one submission: the kata's slug, a status (a Status), a one-line
    summary, every case's result in order, and the time it took. What the learner's code printed
    is kept in `output` for the front ends.

    to_dict() is the stable, JSON-ready format front ends, `mlkatas check --json` and stored
    results use: exactly {"kata", "status", "summary", "cases": [CaseResult.to_dict()...],
    "elapsed_ms"} with plain strings, elapsed_ms rounded to 3 decimals; `output` is not in it."""

    kata: str
    status: str  # a Status
    summary: str
    cases: list[CaseResult] = field(default_factory=list)
    elapsed_ms: float = 0.0
    output: str = ""  # what the learner's code printed (cut to the log limit)

    @property
    def passed(self) -> bool:
        return self.status == Status.PASSED

    @property
    def graded(self) -> list[CaseResult]:
        """The checks: every case and rule, without the results that stand for the whole run."""
        return graded_cases(self.cases)

    @property
    def first_failure(self) -> CaseResult | None:
        """The failure the verdict leads with: the most specific diagnosis (engine/lead.py), which
        is not always the first failed case in `cases` (their order stays the cases' order)."""
        return leading_failure(self.cases)

    @property
    def kind(self) -> str | None:
        failure = self.first_failure
        return failure.kind if failure else None

    def to_dict(self) -> dict:
        return {
            "kata": self.kata,
            "status": str(self.status),
            "summary": self.summary,
            "cases": [c.to_dict() for c in self.cases],
            "elapsed_ms": round(self.elapsed_ms, 3),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Verdict":
        """Back from to_dict() (a stored verdict, a submission's JSON); `output` stays empty."""
        return cls(data["kata"], data["status"], data["summary"], [CaseResult.from_dict(c) for c in data["cases"]],
                   float(data.get("elapsed_ms", 0.0)))


def graded_cases(results: list[CaseResult]) -> list[CaseResult]:
    """The results that are checks (what "3/61 checks passed" counts)."""
    return [r for r in results if r.name not in RUN_RESULTS]


def status_for(kind: str | None) -> Status:
    """The verdict's status from the first failure's kind."""
    if kind is None:
        return Status.PASSED
    if kind in STOPPING_KINDS:
        return Status(kind)
    return Status.FAILED
