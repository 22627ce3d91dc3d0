"""The words of a verdict panel, the same in every front end: the head line, the first failure's
title, the tally of the other failures, the captions of grids and pictures.

Renderers (terminal.py, html.py, and the web's pages) add only styling: each of these returns
plain text, or parts of a line that the renderer joins with its own separator.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from mlkatas.engine.describe import fmt_shape
from mlkatas.engine.verdict import CaseResult, Verdict
from mlkatas.engine.vocabulary import CaseStatus

if TYPE_CHECKING:
    from mlkatas.views.grids import Grids
    from mlkatas.views.picture import Picture


def checks_passed(verdict: Verdict) -> str:
    """`58/61 checks passed`."""
    graded = verdict.graded
    passed = sum(c.status == CaseStatus.PASSED for c in graded)
    return f"{passed}/{len(graded)} checks passed"


def head_parts(verdict: Verdict) -> list[str]:
    """What follows the status on the head line: the kata, the checks passed, the time."""
    return [verdict.kata, checks_passed(verdict), f"{verdict.elapsed_ms:.0f} ms"]


def failure_title_parts(failure: CaseResult) -> list[str]:
    """`hidden 7 (hidden)` and its kind: the title over the first failure's message."""
    return [failure.name + (" (hidden)" if failure.hidden else ""), str(failure.kind or "")]


def also_failed(verdict: Verdict) -> str | None:
    """`Also failed: 40 × rearranged, 1 × rule`: the failures after the first, by kind, in the
    order they first occur; None when there are none."""
    first = verdict.first_failure
    kinds = Counter(str(c.kind or "?") for c in verdict.cases if c.status == CaseStatus.FAILED and c is not first)
    if not kinds:
        return None
    return "Also failed: " + ", ".join(f"{n} × {kind}" for kind, n in kinds.items())


def grids_caption(grids: Grids) -> str:
    """`expected (3, 2), got (3, 2) · int64`: follows the grids' label."""
    return f"expected {fmt_shape(grids.expected_shape)}, got {fmt_shape(grids.got_shape)} · {grids.dtype}"


def cells_differ(grids: Grids) -> str | None:
    """`4 of 6 cells differ`, where the shapes agree (otherwise no cell is compared)."""
    if not (grids.same_shape and grids.total):
        return None
    return f"{grids.differing} of {grids.total} cells differ"


def picture_caption(picture: Picture) -> str:
    where = picture.case
    if picture.seed is not None:
        where += f", rebuilt from its seed {picture.seed} with new values"
    return f"The same mistake on a small case ({where}):"
