"""Which failing case a verdict leads with: the one that says most about the mistake.

A diagnosis (a named mistake, how the elements moved, which axes a shape lost) says more than
the bare comparison report ("output differs at ..."), and that says more than a crash on some
edge case. The choice depends only on each case's kind and message, so a verdict rebuilt from its
JSON leads with the same case. No torch here: the views use this in commands that never load it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from mlkatas.engine.vocabulary import STOPPING_KINDS, CaseStatus, Kind

if TYPE_CHECKING:
    from mlkatas.engine.verdict import CaseResult

# The comparison's own reports when nothing was added to them (compare.py writes these; a test
# there keeps the two in step). Anything after them (". You merged ...", ". Your output is ...")
# is a diagnosis.
_LABEL = r"output(\[\d+\]( \([^)]*\))?)?"
_SHAPE = r"\([\d, ]*\)"
GENERIC_REPORTS: dict[str, re.Pattern[str]] = {
    Kind.VALUES: re.compile(
        _LABEL + r" differs at \d+ of \d+ positions; first at index " + _SHAPE
        + r"(: expected \S+, got \S+)?(; largest difference \S+ \((allowed: rtol=\S+, atol=\S+|must be exact)\))?"
    ),
    Kind.REARRANGED: re.compile(
        _LABEL + r" holds the right elements in the wrong places \(\d+ of \d+ positions differ\)"
    ),
    Kind.SHAPE: re.compile(_LABEL + r" has shape " + _SHAPE + r", expected " + _SHAPE),
}

# The ranks, best first. A kata rule comes last: it is measured on separate probes, and when the
# cases fail, a rule's failure is mostly their echo (a probe that raised proves nothing).
SPECIFIC, GENERIC, CRASH, RULE = 0, 1, 2, 3


def headline(message: str) -> str:
    """A case message's first line: the diagnosis, without the inputs and seed lines below it."""
    return message.splitlines()[0] if message else ""


def rank(case: CaseResult) -> int:
    """SPECIFIC, GENERIC, CRASH or RULE: how much a failed case's message says about the mistake."""
    if case.kind == Kind.RULE:
        return RULE
    if case.kind in STOPPING_KINDS:
        return CRASH
    generic = GENERIC_REPORTS.get(case.kind or "")
    if generic is not None and generic.fullmatch(headline(case.message)):
        return GENERIC
    return SPECIFIC


def leading_failure(cases: Iterable[CaseResult]) -> CaseResult | None:
    """The failed case with the best rank; of equals, the first in the verdict's order. A crash
    yields to a bare report only on an edge case: where most failures are crashes, the crash is
    the story, and the two rank alike."""
    failed = [c for c in cases if c.status == CaseStatus.FAILED]
    if not failed:
        return None
    ranks = [rank(c) for c in failed]
    if ranks.count(CRASH) * 2 > len(failed):
        ranks = [GENERIC if r == CRASH else r for r in ranks]
    return failed[ranks.index(min(ranks))]
