"""Structural comparison of the learner's output with the expected one.

In order: type (a tensor, or the stated tuple), shape, dtype, then values with a dtype-aware
tolerance (exact for pure rearrangements). The first difference found becomes a Mismatch whose
kind names the mistake; `rearranged` means the right elements in the wrong places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from mlkatas.engine.describe import describe_value, fmt_dtype, fmt_scalar, fmt_shape
from mlkatas.engine.tolerance import Tolerance
from mlkatas.engine.vocabulary import Kind


@dataclass
class Mismatch:
    """The first difference found: its kind, the message a learner reads, and data to draw."""

    kind: str  # a Kind
    message: str
    detail: dict = field(default_factory=dict)


def _type_hint(got: Any) -> str:
    name = describe_value(got)
    if got is None:
        return "got None: does your function end with `return ...`?"
    if "generator" in name:
        return f"got a {name}: a function that uses `yield` returns a generator, not the result"
    if "numpy" in name:
        return f"got a {name}: return a torch.Tensor (torch.from_numpy converts, but the kata wants torch operations)"
    return f"got {name}"


def compare_structure(expected: Any, got: Any, names: tuple[str, ...] = ()) -> tuple[list, Mismatch | None]:
    """Pair expected and got tensors, or say why the output's type is wrong."""
    if isinstance(expected, tuple):
        what = f"a tuple of {len(expected)} tensors" + (f" ({', '.join(names)})" if names else "")
        if not isinstance(got, (tuple, list)):
            return [], Mismatch(Kind.TYPE, f"expected {what}; {_type_hint(got)}")
        if len(got) != len(expected):
            return [], Mismatch(Kind.TYPE, f"expected {what}; got a {type(got).__name__} of {len(got)} items")
        pairs = []
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            label = f"output[{i}]" + (f" ({names[i]})" if i < len(names) else "")
            if not isinstance(g, torch.Tensor):
                return [], Mismatch(Kind.TYPE, f"{label} should be a torch.Tensor; {_type_hint(g)}")
            pairs.append((label, e, g))
        return pairs, None
    if not isinstance(got, torch.Tensor):
        return [], Mismatch(Kind.TYPE, f"expected a torch.Tensor; {_type_hint(got)}")
    return [("output", expected, got)], None


def compare_tensor(
    label: str, expected: torch.Tensor, got: torch.Tensor, tol: Tolerance, hidden: bool,
    input_dtypes: frozenset = frozenset(),
) -> Mismatch | None:
    """Shape, then dtype, then values; None when they agree. (Which input axes a wrong shape
    kept or moved is the explanation search's to say: engine/explain_shape.py.)"""
    if tuple(got.shape) != tuple(expected.shape):
        return Mismatch(
            Kind.SHAPE,
            f"{label} has shape {fmt_shape(got.shape)}, expected {fmt_shape(expected.shape)}",
            {"expected_shape": list(expected.shape), "got_shape": list(got.shape)},
        )
    if got.dtype != expected.dtype:
        return Mismatch(
            Kind.DTYPE,
            f"{label} has dtype {fmt_dtype(got.dtype)}, expected {fmt_dtype(expected.dtype)}"
            + (" (the dtype of the input)" if expected.dtype in input_dtypes else ""),
        )
    if agrees(expected, got, tol):
        return None
    wrong = mismatch_mask(expected, got, tol)
    if not bool(wrong.any()):
        return None
    if same_elements(expected, got, tol):
        return Mismatch(
            Kind.REARRANGED,
            f"{label} holds the right elements in the wrong places "
            f"({int(wrong.sum())} of {wrong.numel()} positions differ)",
        )
    return Mismatch(Kind.VALUES, values_message(label, expected, got, wrong, tol, hidden))


def agrees(expected: torch.Tensor, got: torch.Tensor, tol: Tolerance) -> bool:
    """The common case in one call, same shape and dtype assumed: exactly equal, or close within
    the dtype's tolerance. False only means "look closer" (NaNs, for one, need the mask)."""
    bounds = tol.for_dtype(expected.dtype)
    if expected.dtype == torch.bool or bounds is None:
        return torch.equal(got, expected)
    return torch.allclose(got, expected, rtol=bounds[0], atol=bounds[1], equal_nan=True)


def mismatch_mask(expected: torch.Tensor, got: torch.Tensor, tol: Tolerance) -> torch.Tensor:
    """True where got is wrong (same shape and dtype assumed; NaN matches NaN). The grids mark
    exactly these cells."""
    bounds = tol.for_dtype(expected.dtype)
    if expected.dtype == torch.bool or bounds is None:
        equal = got == expected
        if expected.is_floating_point() or expected.is_complex():
            equal |= torch.isnan(got) & torch.isnan(expected)
        return ~equal
    rtol, atol = bounds
    return ~torch.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


def same_elements(expected: torch.Tensor, got: torch.Tensor, tol: Tolerance) -> bool:
    """The same multiset of values: a rearrangement of the expected output."""
    if expected.numel() < 2 or expected.is_complex():
        return False
    a, b = expected.reshape(-1), got.reshape(-1)
    if a.dtype == torch.bool:
        a, b = a.to(torch.uint8), b.to(torch.uint8)
    a, b = torch.sort(a).values, torch.sort(b).values
    return not bool(mismatch_mask(a, b, tol).any())


def values_message(label: str, expected, got, wrong: torch.Tensor, tol: Tolerance, hidden: bool) -> str:
    count, total = int(wrong.sum()), wrong.numel()
    first = tuple(int(i) for i in torch.nonzero(wrong)[0].tolist())
    msg = f"{label} differs at {count} of {total} positions; first at index {first}"
    if not hidden:
        msg += f": expected {fmt_scalar(expected[first])}, got {fmt_scalar(got[first])}"
    if expected.is_floating_point():
        diff = (got.double() - expected.double()).abs()
        diff = torch.where(torch.isnan(diff), torch.full_like(diff, float("inf")), diff)
        bounds = tol.for_dtype(expected.dtype)
        allowed = f" (allowed: rtol={bounds[0]:g}, atol={bounds[1]:g})" if bounds else " (must be exact)"
        msg += f"; largest difference {fmt_scalar(diff.max())}{allowed}"
        if expected.dtype == torch.float64 and torch.allclose(got, expected, rtol=1e-5, atol=1e-6):
            msg += (". The result has float32 precision: somewhere the float64 input went through float32 "
                    "(a .float() round trip, or a float32 buffer); keep float64 all the way")
    return msg


def compare_output(
    expected: Any, got: Any, tol: Tolerance, hidden: bool, names: tuple[str, ...] = (),
    input_dtypes: frozenset = frozenset(),
) -> Mismatch | None:
    pairs, problem = compare_structure(expected, got, names)
    if problem:
        return problem
    for label, e, g in pairs:
        mismatch = compare_tensor(label, e, g, tol, hidden, input_dtypes)
        if mismatch:
            mismatch.detail.setdefault("label", label)
            return mismatch
    return None
