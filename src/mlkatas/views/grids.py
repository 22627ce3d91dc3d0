"""Expected versus got as 2-D grids of numbers with the differing cells marked.

The terminal (rich) and HTML renderers draw the same picture from this: 1-D and 2-D outputs as
one grid, 3-D and 4-D ones as a few 2-D slices along their leading axes. A cell is marked where
the engine's comparison, with the kata's tolerance, finds it wrong: the picture and the verdict
beside it cannot disagree. Nothing here imports torch at import time (the CLI's renderers import
this module in commands that never load torch); it is only handed tensors that already exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mlkatas.engine.describe import fmt_dtype
from mlkatas.engine.tolerance import Tolerance

MAX_CELLS = 256  # the engine sends expected/got for visible cases up to this size
MAX_SLICES = 4
MAX_DIMS = 4


@dataclass
class Slice:
    """One 2-D grid of expected (and got, where the shapes agree) with the wrong cells marked."""

    label: str  # "" for a 1-D/2-D output, "[1]" or "[0, 2]" for a slice of a larger one
    expected: list[list]  # rows of Python numbers
    got: list[list] | None  # None where got has another shape (nothing to compare cell by cell)
    differs: list[list[bool]] = field(default_factory=list)


@dataclass
class Grids:
    """Everything a renderer needs to draw expected versus got for one output."""

    label: str  # "output", or "output[1] (indices)" for a tuple's element
    expected_shape: tuple[int, ...]
    got_shape: tuple[int, ...]
    dtype: str
    slices: list[Slice]
    got_slices: list[Slice]  # only where the shapes differ: got drawn on its own
    note: str = ""
    differing: int = 0
    total: int = 0

    @property
    def same_shape(self) -> bool:
        return self.expected_shape == self.got_shape


def format_cell(value) -> str:
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.3g}"
    if isinstance(value, complex):
        return f"{value.real:.2g}{value.imag:+.2g}j"
    return str(value)


def _as_rows(t) -> list[list]:
    if t.dim() == 0:
        return [[t.item()]]
    if t.dim() == 1:
        return [t.tolist()]
    return t.tolist()


def _slices(t, limit: int) -> tuple[list[tuple[str, object]], int]:
    """(label, 2-D-or-less tensor) pairs along the leading axes, at most `limit`; and how many exist."""
    if t.dim() <= 2:
        return [("", t)], 1
    lead = tuple(t.shape[:-2])
    count = math.prod(lead)
    flat = t.reshape(count, *t.shape[-2:])
    out = []
    for i in range(min(count, limit)):
        index, rest = [], i
        for size in reversed(lead):
            index.append(rest % size)
            rest //= size
        out.append(("[" + ", ".join(str(j) for j in reversed(index)) + "]", flat[i]))
    return out, count


def value_slices(t, max_slices: int = MAX_SLICES) -> tuple[list[Slice], str] | None:
    """One tensor on its own (a case's input) as 2-D slices and a note on how many are shown;
    None when it is too large to draw."""
    if t.dim() > MAX_DIMS or t.numel() > MAX_CELLS or t.numel() == 0:
        return None
    parts, count = _slices(t.detach().cpu(), max_slices)
    note = f"showing {len(parts)} of {count} slices along the leading axes" if count > len(parts) else ""
    return [Slice(label, _as_rows(part), None) for label, part in parts], note


def drawable(detail: dict) -> bool:
    """Whether a failed case's detail holds an expected and a got small enough to draw."""
    expected, got = detail.get("expected"), detail.get("got")
    if not (hasattr(expected, "dim") and hasattr(got, "dim")):
        return False
    if expected.dim() > MAX_DIMS or got.dim() > MAX_DIMS or expected.numel() > MAX_CELLS or got.numel() > MAX_CELLS:
        return False
    return expected.numel() > 0


def wrong_cells(expected, got, tolerance: Tolerance):
    """A boolean tensor, True where got is wrong: the engine's own test, so the grids mark exactly
    what the verdict counts. Where the dtypes differ (the verdict says `dtype`), the values are
    still compared: as the expected dtype when both are floats, else exactly."""
    import torch  # loaded already: these are tensors

    from mlkatas.engine.compare import mismatch_mask

    if got.dtype != expected.dtype:
        if expected.is_floating_point() and got.is_floating_point():
            got = got.to(expected.dtype)
        else:
            common = torch.promote_types(expected.dtype, got.dtype)
            expected, got, tolerance = expected.to(common), got.to(common), Tolerance(exact=True)
    return mismatch_mask(expected, got, tolerance)


def tensor_grids(detail: dict, tolerance: Tolerance, max_slices: int = MAX_SLICES) -> Grids | None:
    """Grids for a failed case's detail (`expected`, `got`, optional `label`), cells marked with
    the kata's `tolerance` (Tolerance.for_kata), or None when there is nothing small enough to draw."""
    if not drawable(detail):
        return None
    expected, got = detail["expected"].detach().cpu(), detail["got"].detach().cpu()
    same = tuple(expected.shape) == tuple(got.shape)
    e_parts, count = _slices(expected, max_slices)
    slices, got_slices = [], []
    differing = 0
    if same:
        wrong = wrong_cells(expected, got, tolerance)
        g_parts, _ = _slices(got, max_slices)
        w_parts, _ = _slices(wrong, max_slices)
        for (label, e), (_, g), (_, w) in zip(e_parts, g_parts, w_parts, strict=True):
            slices.append(Slice(label, _as_rows(e), _as_rows(g), _as_rows(w)))
        differing = int(wrong.sum())
    else:
        slices = [Slice(label, _as_rows(e), None) for label, e in e_parts]
        if got.numel():
            g_parts, _ = _slices(got, max_slices)
            got_slices = [Slice(label, _as_rows(g), None) for label, g in g_parts]
    note = f"showing {len(e_parts)} of {count} slices along the leading axes" if count > len(e_parts) else ""
    return Grids(
        label=str(detail.get("label", "output")),
        expected_shape=tuple(expected.shape),
        got_shape=tuple(got.shape),
        dtype=fmt_dtype(expected.dtype),
        slices=slices,
        got_slices=got_slices,
        note=note,
        differing=differing,
        total=expected.numel(),
    )
