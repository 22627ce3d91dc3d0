"""Explanations of an output that holds the right elements in the wrong places: the einops pattern
that produced it, output axes in another order, rows in another order, an axis reversed."""

from __future__ import annotations

import itertools
from typing import Any, Iterator

import torch

from mlkatas.engine.casegen import Case
from mlkatas.engine.compare import compare_structure, mismatch_mask
from mlkatas.engine.diagnosis import Diagnosis, Failure, axis_label, axis_names
from mlkatas.engine.explain import RESHAPED, find_rearrangement, rearrangement_sentence, rearranges_as

MAX_PERMUTED_AXES = 5  # 5! - 1 orders at most


def pattern_source(failure: Failure, case: Case) -> tuple[torch.Tensor, str] | None:
    """The argument the kata's pattern describes, and its name."""
    suite = failure.suite
    kata = suite.kata
    if not kata.pattern or kata.pattern_input >= len(case.args):
        return None
    source = case.args[kata.pattern_input]
    if isinstance(source, (list, tuple)):
        if not source or not all(isinstance(t, torch.Tensor) for t in source):
            return None
        try:
            source = torch.stack(list(source))
        except RuntimeError:
            return None
    if not isinstance(source, torch.Tensor):
        return None
    names = suite.arg_names
    return source, names[kata.pattern_input] if kata.pattern_input < len(names) else "x"


def first_tensor(failure: Failure, case: Case) -> tuple[torch.Tensor, str] | None:
    """A kata without a pattern: its first tensor argument, and its name."""
    names = failure.suite.arg_names
    for i, arg in enumerate(case.args):
        if isinstance(arg, torch.Tensor):
            return arg, names[i] if i < len(names) else "x"
    return None


def reshaped_candidates(failure: Failure) -> Iterator[Diagnosis]:
    """Without a pattern to search: the output is the first input reshaped (a transpose written
    as `reshape`, the commonest slip)."""
    found_source = first_tensor(failure, failure.case)
    if failure.suite.kata.pattern or found_source is None or not isinstance(failure.got, torch.Tensor):
        return
    source, name = found_source
    if not rearranges_as(RESHAPED, source, failure.got, {}):
        return

    def holds(case: Case, expected: Any, got: Any) -> bool:
        other = first_tensor(failure, case)
        return other is not None and isinstance(got, torch.Tensor) and rearranges_as(RESHAPED, other[0], got, {})

    yield Diagnosis("pattern:reshape", rearrangement_sentence("", RESHAPED, name), holds)


def rearrangement_candidates(failure: Failure) -> Iterator[Diagnosis]:
    found_source = pattern_source(failure, failure.case)
    pattern = failure.suite.kata.pattern
    if found_source is None or pattern is None or not isinstance(failure.got, torch.Tensor):
        yield from reshaped_candidates(failure)
        return
    source, name = found_source
    found = find_rearrangement(pattern, source, failure.got, failure.case.sizes, failure.deadline)
    if found is None:
        return

    def holds(case: Case, expected: Any, got: Any) -> bool:
        other = pattern_source(failure, case)
        return other is not None and isinstance(got, torch.Tensor) and rearranges_as(found, other[0], got, case.sizes)

    yield Diagnosis(f"pattern:{found}", rearrangement_sentence(pattern, found, name), holds)


def _pairs(expected: Any, got: Any) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    pairs, problem = compare_structure(expected, got)
    return [] if problem else pairs


def axis_order_candidates(failure: Failure) -> Iterator[Diagnosis]:
    """The expected output with its axes in another order (a transposed grid, say)."""
    pairs = _pairs(failure.expected, failure.got)
    if len(pairs) != 1:
        return
    _, expected, got = pairs[0]
    ndim = expected.dim()
    if not 2 <= ndim <= MAX_PERMUTED_AXES or expected.numel() != got.numel():
        return
    names = axis_names(failure.suite, "output")
    for order in itertools.permutations(range(ndim)):
        if failure.past_deadline():
            return
        if list(order) == list(range(ndim)) or expected.permute(order).shape != got.shape:
            continue
        if not failure.matches(expected.permute(order)):
            continue

        def holds(case: Case, expected: Any, got: Any, order: tuple[int, ...] = order) -> bool:
            pairs = _pairs(expected, got)
            return (len(pairs) == 1 and pairs[0][1].dim() == len(order)
                    and failure.matches(pairs[0][1].permute(order), pairs[0][2]))

        yield Diagnosis(f"axes:{order}", _order_message(order, names), holds, telling=_moved_axes_differ(order))
        return


def _moved_axes_differ(order: tuple[int, ...]):
    """Whether a case can tell these axes apart: the axes that move differ in size there (on a
    square grid, the transpose of a wrong output can be right by coincidence)."""
    moved = [i for i, a in enumerate(order) if a != i]

    def telling(case: Case, expected: Any) -> bool:
        pairs = _pairs(expected, expected)
        if len(pairs) != 1 or pairs[0][1].dim() != len(order):
            return False
        sizes = [pairs[0][1].shape[i] for i in moved]
        return len(set(sizes)) == len(sizes)

    return telling


def _order_message(order: tuple[int, ...], names: list[str] | None) -> str:
    moved = [i for i, a in enumerate(order) if a != i]
    if len(moved) == 2:
        i, j = moved
        return (f"your output is the expected one with two axes swapped, {axis_label(names, len(order), i)} and "
                f"{axis_label(names, len(order), j)}: check the order of the axes you build the output with")
    said = ", ".join(axis_label(names, len(order), a) for a in order)
    return f"your output is the expected one with its axes in another order: {said}"


def row_order_candidates(failure: Failure) -> Iterator[Diagnosis]:
    """Each row (along the last axis) holds the right values in another order."""
    pairs = _pairs(failure.expected, failure.got)
    if not pairs or not _rows_hold_same_values(pairs, failure):
        return
    label = failure.mismatch.detail.get("label", pairs[0][0])
    expected = dict((p[0], p[1]) for p in pairs).get(label, pairs[0][1])
    order = _row_order(expected)
    wanted = f"; the kata wants each row {order}" if order else ""
    message = (f"each row of {label} holds the right values in another order{wanted} "
               "(top-k with sorted=False, or a sort that was left out, gives this)")

    def holds(case: Case, expected: Any, got: Any) -> bool:
        return _rows_hold_same_values(_pairs(expected, got), failure)

    yield Diagnosis("row-order", message, holds)


def _rows_hold_same_values(pairs: list, failure: Failure) -> bool:
    differs = False
    for _, expected, got in pairs:
        if expected.shape != got.shape or expected.dim() < 1 or expected.is_complex():
            return False
        if expected.dtype == torch.bool:
            expected, got = expected.to(torch.uint8), got.to(torch.uint8)
        if bool(mismatch_mask(expected.sort(dim=-1).values, got.sort(dim=-1).values, failure.tol).any()):
            return False
        differs = differs or bool(mismatch_mask(expected, got, failure.tol).any())
    return differs


def _row_order(expected: torch.Tensor) -> str:
    if expected.shape[-1] < 2 or expected.dtype == torch.bool:
        return ""
    steps = expected.diff(dim=-1)
    if bool((steps <= 0).all()):
        return "in descending order"
    if bool((steps >= 0).all()):
        return "in ascending order"
    return ""


def reversed_axis_candidates(failure: Failure) -> Iterator[Diagnosis]:
    """The expected output read backwards along one axis."""
    pairs = _pairs(failure.expected, failure.got)
    if len(pairs) != 1:
        return
    _, expected, got = pairs[0]
    if expected.shape != got.shape:
        return
    names = axis_names(failure.suite, "output")
    for axis in range(expected.dim()):
        if expected.shape[axis] < 2 or not failure.matches(expected.flip(axis)):
            continue

        def holds(case: Case, expected: Any, got: Any, axis: int = axis) -> bool:
            pairs = _pairs(expected, got)
            return (len(pairs) == 1 and pairs[0][1].dim() > axis and pairs[0][1].shape[axis] > 1
                    and failure.matches(pairs[0][1].flip(axis), pairs[0][2]))

        where = axis_label(names, expected.dim(), axis)
        yield Diagnosis(f"flip:{axis}", f"your output is the expected one reversed along {where}", holds)
        return
