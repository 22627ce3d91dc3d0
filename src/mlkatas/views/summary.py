"""The words of a verdict panel, the same in every front end: the head line, the first failure's
title, the tally of the other failures, the captions of grids and pictures.

Renderers (terminal.py, html.py, and the web's pages) add only styling: each of these returns
plain text, or parts of a line that the renderer joins with its own separator.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from mlkatas.engine.describe import fmt_shape
from mlkatas.engine.lead import headline
from mlkatas.engine.verdict import CaseResult, Verdict
from mlkatas.engine.vocabulary import CaseStatus, Kind

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
    """The failures besides the one shown, in one line: `Also failed: 40 × rearranged, 1 × rule`,
    and crashes by their error with the inputs of the first, e.g. `; 3 crashed with RuntimeError:
    stack expects a non-empty TensorList (first on x: float32 (1, 4, 3), window_size=4, step=1)`.
    None when there are none."""
    first = verdict.first_failure
    others = [c for c in verdict.cases if c.status == CaseStatus.FAILED and c is not first]
    if not others:
        return None
    kinds = Counter(str(c.kind or "?") for c in others if c.kind != Kind.ERROR)
    crashes: dict[str, list[CaseResult]] = {}
    for c in others:
        if c.kind == Kind.ERROR:
            crashes.setdefault(headline(c.message), []).append(c)
    parts = [", ".join(f"{n} × {kind}" for kind, n in kinds.items())] if kinds else []
    for error, cases in crashes.items():
        where = _inputs(cases[0].message)
        parts.append(f"{len(cases)} crashed with {error or 'an error'}" + (f" (first on {where})" if where else ""))
    return "Also failed: " + "; ".join(parts)


def _inputs(message: str) -> str | None:
    """The `inputs:` line the judge writes under a case's message."""
    for line in message.splitlines()[1:]:
        if line.strip().startswith("inputs: "):
            return line.strip().removeprefix("inputs: ")
    return None


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
