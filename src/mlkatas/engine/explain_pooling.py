"""Explanations of a reduction taken over fixed-size windows where the kata reduces whole axes:
global average pooling written `avg_pool2d(x, 4)`, the mean of 4 x 4 windows, not of the map."""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator

import torch

from mlkatas.engine.casegen import Case
from mlkatas.engine.diagnosis import Diagnosis, Failure, axis_label, axis_names

MAX_WINDOW = 8
REDUCTIONS: dict[str, Callable[[torch.Tensor, tuple[int, ...]], torch.Tensor]] = {
    "mean": lambda t, dims: t.mean(dims),
    "sum": lambda t, dims: t.sum(dims),
    "maximum": lambda t, dims: t.amax(dims),
}


def _input(case: Case) -> torch.Tensor | None:
    first = case.args[0] if case.args else None
    ok = isinstance(first, torch.Tensor) and first.is_floating_point() and first.dim() >= 2
    return first if ok else None


def _whole_axis_reduction(failure: Failure, x: torch.Tensor) -> tuple[str, tuple[int, ...]] | None:
    """Which reduction over which one or two axes the kata's expected output is."""
    expected = failure.expected
    if not isinstance(expected, torch.Tensor):
        return None
    axis_sets = [(a,) for a in range(x.dim())] + list(itertools.combinations(range(x.dim()), 2))
    for dims in axis_sets:
        for name, reduce in REDUCTIONS.items():
            result = reduce(x.double(), dims).to(x.dtype)
            if result.numel() == expected.numel() and failure.matches(result.reshape(expected.shape), expected):
                return name, dims
    return None


def _windowed(x: torch.Tensor, name: str, dims: tuple[int, ...], size: int) -> torch.Tensor | None:
    if any(x.shape[d] < size for d in dims):
        return None
    windows = x.double()
    for d in dims:
        windows = windows.unfold(d, size, size)  # the window's own axis goes last
    inner = tuple(range(windows.dim() - len(dims), windows.dim()))
    return REDUCTIONS[name](windows, inner).to(x.dtype)


def _as_got(result: torch.Tensor | None, got: Any) -> torch.Tensor | None:
    if result is None or not isinstance(got, torch.Tensor) or result.numel() != got.numel():
        return None
    return result.reshape(got.shape)


def windowed_reduction_candidates(failure: Failure) -> Iterator[Diagnosis]:
    x = _input(failure.case)
    if x is None or not isinstance(failure.got, torch.Tensor):
        return
    found = _whole_axis_reduction(failure, x)
    if found is None:
        return
    name, dims = found
    names = axis_names(failure.suite, "input")
    for size in range(1, min(MAX_WINDOW, max(x.shape[d] for d in dims)) + 1):
        if failure.past_deadline():
            return
        produced = _as_got(_windowed(x, name, dims, size), failure.got)
        if produced is None or not failure.matches(produced):
            continue

        def holds(case: Case, expected: Any, got: Any, size: int = size) -> bool:
            other = _input(case)
            produced = None if other is None else _as_got(_windowed(other, name, dims, size), got)
            return produced is not None and failure.matches(produced, got)

        window = " x ".join([str(size)] * len(dims))
        over = " and ".join(axis_label(names, x.dim(), d) for d in dims)
        message = (f"your output is the {name} over {window} windows, not over the whole of {over}: "
                   f"a fixed-size pooling (such as a window of {size}) covers everything only when the "
                   f"axes are exactly {size} long; reduce over the axes themselves")
        yield Diagnosis(f"windows:{name}:{dims}:{size}", message, holds)
        return
