"""What an explanation of a wrong output is: a claim about how the output was made, its message,
and a test of the claim on any case, so that the judge can check it where it is shown and
confirm it on another case before a learner reads it."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any, Callable

import torch

from mlkatas.engine.casegen import Case
from mlkatas.engine.compare import Mismatch, agrees, compare_structure, mismatch_mask
from mlkatas.engine.explain import format_side, parse_side
from mlkatas.engine.suite import Suite
from mlkatas.engine.tolerance import Tolerance


@dataclass(frozen=True)
class Diagnosis:
    """`key` names the claim (the same claim found on two cases is one diagnosis); `holds(case,
    expected, got)` says whether it accounts for `got` on that case."""

    key: str
    message: str
    holds: Callable[[Case, Any, Any], bool]
    # the message for another case, where it names amounts that differ from case to case
    restate: Callable[[Case, Any, Any], str] | None = None
    # whether a case can tell the claim from a coincidence, beyond having every axis above 1
    # (two axes swapped is true of any square grid read as its transpose: only axes of
    # different sizes can confirm it); None: every such case can
    telling: Callable[[Case, Any], bool] | None = None

    def on(self, case: Case, expected: Any, got: Any) -> "Diagnosis":
        """This diagnosis as it reads on another case."""
        if self.restate is None:
            return self
        return dataclasses.replace(self, message=self.restate(case, expected, got))

    def can_confirm(self, case: Case, expected: Any) -> bool:
        """Whether this case can confirm the claim: every named axis and every dimension of its
        inputs above 1 (on a size-1 axis different mistakes give the same output), and whatever
        the claim itself needs to be more than a coincidence there."""
        return all_axes_above_one(case) and (self.telling is None or self.telling(case, expected))


def all_axes_above_one(case: Case) -> bool:
    """Every named size and every dimension of every tensor argument is larger than 1."""
    tensors = [a for a in case.args if isinstance(a, torch.Tensor)]
    return all(v > 1 for v in case.sizes.values()) and all(d > 1 for t in tensors for d in t.shape)


@dataclass
class Failure:
    """One failed case, as the explainers see it."""

    suite: Suite
    case: Case
    expected: Any
    got: Any
    mismatch: Mismatch
    tol: Tolerance
    deadline: float | None = None

    def past_deadline(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def matches(self, produced: Any, got: Any | None = None) -> bool:
        """`produced` is what the learner returned (within the kata's tolerance). Cheaper than
        compare_output: a mismatch here needs no account of how it differs."""
        got = self.got if got is None else got
        pairs, problem = compare_structure(produced, got)
        return problem is None and all(self._same(e, g) for _, e, g in pairs)

    def _same(self, expected: torch.Tensor, got: torch.Tensor) -> bool:
        if expected.shape != got.shape or expected.dtype != got.dtype:
            return False
        return agrees(expected, got, self.tol) or not bool(mismatch_mask(expected, got, self.tol).any())


def axis_names(suite: Suite, side: str) -> list[str] | None:
    """The kata's names for the axes of its pattern input ("input") or of its output ("output"):
    the einops pattern's, else cases.py's INPUT_AXES / OUTPUT_AXES (e.g. "B H/2 W/2 2C")."""
    pattern = suite.kata.pattern
    if pattern and "->" in pattern:
        groups = parse_side(pattern.split("->")[0 if side == "input" else 1])
        return [format_side([g]) for g in groups]
    declared = getattr(suite.cases_module, f"{side.upper()}_AXES", None)
    return declared.split() if isinstance(declared, str) else None


def axis_label(names: list[str] | None, ndim: int, axis: int) -> str:
    if names is not None and len(names) == ndim:
        return f"{names[axis]} (axis {axis})"
    return f"axis {axis}"
