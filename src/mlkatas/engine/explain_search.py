"""The bounded search for an explanation of a wrong output, run by the judge after a failure.

The explainers propose diagnoses for one failed case; a diagnosis is shown only when it accounts
for the learner's output on that case and is confirmed on a second failed case that can tell it
from a coincidence: its named axes all larger than 1 (on a size-1 axis two different mistakes can
give the same output) and, for axes said to be swapped, of different sizes (Diagnosis.can_confirm).
Confirmed diagnoses are tried first on the other failed cases; fresh searches are capped per
verdict, and everything stops at the deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import torch

from mlkatas.engine.compare import Mismatch
from mlkatas.engine.diagnosis import Diagnosis, Failure
from mlkatas.engine.explain_mistakes import mistake_candidates
from mlkatas.engine.explain_placement import (
    axis_order_candidates,
    rearrangement_candidates,
    reversed_axis_candidates,
    row_order_candidates,
)
from mlkatas.engine.explain_pooling import windowed_reduction_candidates
from mlkatas.engine.explain_shape import shape_reading_candidates
from mlkatas.engine.explain_shift import shifted_input_candidates
from mlkatas.engine.suite import Suite
from mlkatas.engine.tolerance import Tolerance
from mlkatas.engine.vocabulary import Kind

Explainer = Callable[[Failure], Iterator[Diagnosis]]
# In order, one diagnosis each at most: which input axes a wrong shape holds, how the elements
# moved, a named mistake.
LEADING: tuple[tuple[Explainer, ...], ...] = (
    (shape_reading_candidates,), (rearrangement_candidates,), (mistake_candidates,),
)
# Other accounts, most specific first; tried only when no declared mistake is confirmed.
OTHERS: tuple[Explainer, ...] = (
    axis_order_candidates,
    reversed_axis_candidates,
    row_order_candidates,
    shifted_input_candidates,
    windowed_reduction_candidates,
)
EXPLAINED_KINDS = frozenset({Kind.TYPE, Kind.SHAPE, Kind.DTYPE, Kind.REARRANGED, Kind.VALUES})
MAX_SEARCHES = 6  # fresh searches per verdict; the other failed cases reuse what was confirmed
MAX_CONFIRMATIONS = 12  # second cases tried per diagnosis


@dataclass
class ExplanationSearch:
    """One verdict's search: the failed cases with outputs (index -> (got, mismatch))."""

    suite: Suite
    tol: Tolerance
    failed: dict[int, tuple[Any, Mismatch]]
    deadline: float | None = None
    ran_alone: bool = False  # the run graded a single case: it is its own confirmation
    confirmed: list[Diagnosis] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)
    searches: int = 0

    def explain_all(self) -> dict[int, list[Diagnosis]]:
        """Every failed case's diagnoses. Small cases go first: a diagnosis confirmed there is
        then only checked on a large case (the visible example, often), not searched for."""
        order = sorted(self.failed, key=lambda i: (_size(self.failed[i][0]), i))
        return {index: self.explain(index) for index in order}

    def explain(self, index: int) -> list[Diagnosis]:
        """The diagnoses to show with this failed case: how the elements moved, a declared mistake,
        or another confirmed account; [] when nothing is both true here and confirmed."""
        failure = self._failure(index)
        if failure is None or failure.mismatch.kind not in EXPLAINED_KINDS or failure.past_deadline():
            return []
        case, expected, got = failure.case, failure.expected, failure.got
        known = [d.on(case, expected, got) for d in self.confirmed if self._holds(d, index)]
        if known or self.searches >= MAX_SEARCHES:
            return known[:len(LEADING)]
        self.searches += 1
        found = [d for d in (self._first(failure, group) for group in LEADING) if d]
        if not found:
            found = [d for d in (self._first(failure, OTHERS),) if d]
        return found

    def _failure(self, index: int) -> Failure | None:
        if index not in self.failed:
            return None
        got, mismatch = self.failed[index]
        return Failure(self.suite, self.suite.cases[index], self.suite.expected[index], got, mismatch, self.tol,
                       self.deadline)

    def _holds(self, diagnosis: Diagnosis, index: int) -> bool:
        got, _ = self.failed[index]
        try:
            return diagnosis.holds(self.suite.cases[index], self.suite.expected[index], got)
        except Exception:  # noqa: BLE001 - a claim that cannot be tested on this case does not hold on it
            return False

    def _first(self, failure: Failure, explainers: tuple[Explainer, ...]) -> Diagnosis | None:
        for explainer in explainers:
            try:
                for diagnosis in explainer(failure):
                    if diagnosis.key in self.rejected or failure.past_deadline():
                        continue
                    if self._confirm(diagnosis, failure.case):
                        self.confirmed.append(diagnosis)
                        return diagnosis
                    self.rejected.add(diagnosis.key)
            except Exception:  # noqa: BLE001 - an explainer that breaks on odd output explains nothing
                continue
        return None

    def _confirm(self, diagnosis: Diagnosis, shown) -> bool:
        """True on another failed case that can confirm it (Diagnosis.can_confirm; or, in a
        one-case run, on the case itself when that one can)."""
        if self.ran_alone:
            index = self.suite.cases.index(shown)
            return diagnosis.can_confirm(shown, self.suite.expected[index]) and self._holds(diagnosis, index)
        tried = 0
        for index in self.failed:
            case = self.suite.cases[index]
            if case is shown or not diagnosis.can_confirm(case, self.suite.expected[index]):
                continue
            if tried >= MAX_CONFIRMATIONS or (self.deadline is not None and time.monotonic() > self.deadline):
                return False
            tried += 1
            if self._holds(diagnosis, index):
                return True
        return False


def _size(value: Any) -> int:
    if isinstance(value, torch.Tensor):
        return value.numel()
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value)
    return 0


def diagnosed_message(mismatch: Mismatch, diagnoses: list[Diagnosis]) -> Mismatch:
    """The mismatch with its diagnoses appended, each as a sentence of its own: a diagnosis
    often has a colon inside, and two readings joined by colons read as one run-on clause."""
    for diagnosis in diagnoses:
        mismatch.message += f". {_sentence(diagnosis.message)}"
    if diagnoses:
        mismatch.detail["diagnosis"] = [d.key for d in diagnoses]
    return mismatch


def _sentence(text: str) -> str:
    """`text` as the start of a sentence: a first plain word capitalised, code (`torch.max`) as written."""
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if first.isalpha() and first.islower() else text
