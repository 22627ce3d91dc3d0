"""A picture of the mistake when the first failure is too big to draw: a small case that fails
the same way, found among the verdict's cases or graded again from a hidden case's seed."""

from __future__ import annotations

from dataclasses import dataclass

from mlkatas.engine.tolerance import Tolerance
from mlkatas.engine.vocabulary import STOPPING_KINDS, CaseStatus, Kind
from mlkatas.views.grids import Grids, drawable, tensor_grids

# No picture says more than the message for these: nothing came back to draw, or a rule failed.
NOT_DRAWN = STOPPING_KINDS | {Kind.RULE}


@dataclass
class Picture:
    """A small failing case drawn beside the first failure, when that one is too big to draw."""

    case: str  # the verdict's case it stands for, e.g. "hidden 7"
    seed: int | None  # set when it is an analogous case rebuilt from a hidden case's seed
    grids: Grids


def find_picture(judge, verdict, source: str | bytes, tries: int = 3) -> Picture | None:
    """When the first failure has no picture, one that shows the same mistake small: another
    visible failing case with small outputs, or an analogous case of a failed hidden case,
    graded again from its seed (new values, the same sizes and layout: hidden data stays hidden).
    Costs at most `tries` extra gradings of one case each."""
    first = verdict.first_failure
    if first is None or first.kind in NOT_DRAWN or drawable(first.detail):
        return None
    suite = judge.suite(verdict.kata)
    tolerance = Tolerance.for_kata(suite.kata)
    same_kind = [c for c in verdict.cases if c.status == CaseStatus.FAILED and c.kind == first.kind and c is not first]
    for c in same_kind:
        grids = None if c.hidden else tensor_grids(c.detail, tolerance)
        if grids is not None:
            return Picture(c.name, None, grids)
    cases = {case.name: case for case in suite.cases if case.hidden and case.seed is not None}
    hidden = [c for c in same_kind if c.hidden and c.name in cases]
    hidden.sort(key=lambda c: sum(getattr(a, "numel", lambda: 0)() for a in cases[c.name].args))  # smallest first
    for c in hidden[:tries]:
        seed = cases[c.name].seed
        again = judge.grade(verdict.kata, source, seed=seed).first_failure
        grids = tensor_grids(again.detail, tolerance) if again is not None else None
        if grids is not None:
            return Picture(c.name, seed, grids)
    return None
