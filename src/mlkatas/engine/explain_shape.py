"""Explanations of a wrong shape in the input's axis names (engine/axes.py reads them): which
axes were kept, dropped or moved. Sizes can coincide on one case (a batch of 1 reads as any
size-1 axis), so the reading is shown only when a second case reads the same."""

from __future__ import annotations

from typing import Any, Iterator

import torch

from mlkatas.engine.axes import axis_names, shape_story
from mlkatas.engine.casegen import Case
from mlkatas.engine.compare import compare_structure
from mlkatas.engine.diagnosis import Diagnosis, Failure
from mlkatas.engine.vocabulary import Kind


def _story(failure: Failure, case: Case, expected: Any, got: Any) -> tuple[list[list[str]], str] | None:
    """(for each axis of got, the input axes its size could be; the story) on one case; None when
    the sizes say nothing certain."""
    pairs, problem = compare_structure(expected, got)
    if problem or len(pairs) != 1 or not isinstance(pairs[0][2], torch.Tensor):
        return None
    _, e, g = pairs[0]
    names = axis_names(failure.suite.kata, case)
    if names is None or tuple(e.shape) == tuple(g.shape):
        return None
    story = shape_story(names, tuple(e.shape), tuple(g.shape))
    return None if story is None else (names.read(tuple(g.shape)), story)


def _same_axes(one: list[list[str]], other: list[list[str]]) -> bool:
    """Two cases read alike: as many axes, each axis of no input size on both, or of a size some
    input axis has on both cases (sizes that coincide on one case make a reading ambiguous, e.g.
    `b or h`; the other case has to agree with one of its names, not read identically)."""
    return len(one) == len(other) and all(bool(a) == bool(b) and (not a or set(a) & set(b))
                                          for a, b in zip(one, other, strict=True))


def shape_reading_candidates(failure: Failure) -> Iterator[Diagnosis]:
    if failure.mismatch.kind != Kind.SHAPE:
        return
    found = _story(failure, failure.case, failure.expected, failure.got)
    if found is None:
        return
    read, story = found

    def holds(case: Case, expected: Any, got: Any) -> bool:
        other = _story(failure, case, expected, got)
        return other is not None and _same_axes(read, other[0])

    def restate(case: Case, expected: Any, got: Any) -> str:
        other = _story(failure, case, expected, got)
        return story if other is None else other[1]

    yield Diagnosis(f"shape:{read}", story, holds, restate)
