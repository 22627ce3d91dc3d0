"""Explanations of an output that the reference would give on a shifted or reversed input: slices
or windows that start late, stop early, or run backwards along one axis of the first input."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator

import torch

from mlkatas.catalog.kata import KataFormatError
from mlkatas.engine.casegen import Case
from mlkatas.engine.diagnosis import Diagnosis, Failure, axis_label, axis_names

MAX_SHIFT = 3


def _first_tensor(case: Case) -> int | None:
    return next((i for i, a in enumerate(case.args) if isinstance(a, torch.Tensor) and a.dim() >= 1), None)


def _reference_on(failure: Failure, case: Case, change: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """The reference's output on the case with its first tensor argument changed; None when the
    reference does not take it."""
    index = _first_tensor(case)
    if index is None:
        return None
    args = list(case.args)
    args[index] = change(args[index])
    try:
        return failure.suite.run_reference(dataclasses.replace(case, args=tuple(args)))
    except KataFormatError:
        return None


Change = Callable[[torch.Tensor], torch.Tensor]


def _narrow(axis: int, start: int, drop: int) -> Change:
    return lambda t: t.narrow(axis, start, t.shape[axis] - drop)


def _flip(axis: int) -> Change:
    return lambda t: t.flip(axis)


def _changes(axis: int, size: int) -> Iterator[tuple[str, str, Change]]:
    """(key, what it means, change) for one axis: late starts, early ends, a reversal."""
    shifts = range(1, min(MAX_SHIFT, size - 1) + 1)
    for s in shifts:
        yield f"late:{axis}", f"without its first {_positions(s)}", _narrow(axis, s, s)
    for s in shifts:
        yield f"early:{axis}", f"without its last {_positions(s)}", _narrow(axis, 0, s)
    yield f"flip:{axis}", "reversed", _flip(axis)


def _positions(s: int) -> str:
    return "position" if s == 1 else f"{s} positions"


def shifted_input_candidates(failure: Failure) -> Iterator[Diagnosis]:
    index = _first_tensor(failure.case)
    if index is None:
        return
    x = failure.case.args[index]
    names = axis_names(failure.suite, "input")
    arg = failure.suite.arg_names[index] if index < len(failure.suite.arg_names) else "the input"
    for axis in range(x.dim()):
        for key, _what, change in _changes(axis, x.shape[axis]):
            if failure.past_deadline():
                return
            produced = _reference_on(failure, failure.case, change)
            if produced is None or not failure.matches(produced):
                continue

            def amount(case: Case, got: Any, key: str = key, axis: int = axis) -> str | None:
                """How far the same kind of change goes on this case (it may differ with its sizes)."""
                index = _first_tensor(case)
                if index is None or case.args[index].dim() <= axis:
                    return None
                for other_key, what, change in _changes(axis, case.args[index].shape[axis]):
                    if other_key == key:
                        produced = _reference_on(failure, case, change)
                        if produced is not None and failure.matches(produced, got):
                            return what
                return None

            def restate(case: Case, expected: Any, got: Any, key: str = key, axis: int = axis) -> str:
                where = axis_label(names, case.args[index].dim(), axis)
                return _message(key, arg, amount(case, got) or "", where)

            def holds(case: Case, expected: Any, got: Any, amount: Callable = amount) -> bool:
                return amount(case, got) is not None

            yield Diagnosis(key, restate(failure.case, failure.expected, failure.got), holds, restate)
            return


def _message(key: str, arg: str, what: str, where: str) -> str:
    said = f"your output is what the kata expects for {arg} {what} along {where}"
    if key.startswith("late"):
        return (f"{said}: every slice is a real one of {arg}, only shifted: it starts late, as when the slices "
                "are counted back from the end")
    if key.startswith("early"):
        return f"{said}: every slice is a real one of {arg}, but the last positions never get used"
    return f"{said}: your slices run backwards along that axis"
