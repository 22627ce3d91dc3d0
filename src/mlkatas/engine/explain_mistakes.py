"""Explanations from the kata's declared mistakes, single and combined (engine/mistakes.py)."""

from __future__ import annotations

from typing import Any, Iterator

from mlkatas.engine.casegen import Case
from mlkatas.engine.diagnosis import Diagnosis, Failure
from mlkatas.engine.mistakes import Mistake


def mistake_output(failure: Failure, mistake: Mistake, case: Case) -> Any:
    """What the mistake returns on the case; None when it does not apply there."""
    try:
        if failure.suite.kata.kind == "module":
            return mistake.compute(case)
        return mistake.compute(*case.args)
    except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
        return None


def mistake_candidates(failure: Failure) -> Iterator[Diagnosis]:
    for mistake in failure.suite.mistakes:
        if failure.past_deadline():
            return
        produced = mistake_output(failure, mistake, failure.case)
        if produced is None or not failure.matches(produced):
            continue

        def holds(case: Case, expected: Any, got: Any, mistake: Mistake = mistake) -> bool:
            output = mistake_output(failure, mistake, case)
            return output is not None and failure.matches(output, got)

        yield Diagnosis(f"mistake:{mistake.name}", mistake.message, holds)
