"""Expected versus got as 2-D grids of numbers with the differing cells marked.

The terminal (rich) and notebook (HTML) renderers draw the same picture from this: 1-D and 2-D
outputs as one grid, 3-D and 4-D ones as a few 2-D slices along their leading axes. Nothing
here imports torch: it is only handed tensors that already exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MAX_CELLS = 256  # the engine sends expected/got for visible cases up to this size
MAX_SLICES = 4
MAX_DIMS = 4

# Close enough not to be marked: mirrors the engine's default tolerances, per dtype.
TOLERANCE = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


@dataclass
class Slice:
    label: str  # "" for a 1-D/2-D output, "[1]" or "[0, 2]" for a slice of a larger one
    expected: list[list]  # rows of Python numbers
    got: list[list] | None  # None where got has another shape (nothing to compare cell by cell)
    differs: list[list[bool]] = field(default_factory=list)


@dataclass
class Grids:
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


def _differ(a, b, tol: tuple[float, float] | None) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return False
        if tol is None:
            return a != b
        rtol, atol = tol
        return not (abs(a - b) <= atol + rtol * abs(a)) if not (math.isinf(a) or math.isinf(b)) else a != b
    return a != b


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


def tensor_grids(detail: dict, max_slices: int = MAX_SLICES) -> Grids | None:
    """Grids for a failed case's detail (`expected`, `got`, optional `label`), or None when
    there is nothing small enough to draw."""
    expected, got = detail.get("expected"), detail.get("got")
    if not (hasattr(expected, "dim") and hasattr(got, "dim")):
        return None
    if expected.dim() > MAX_DIMS or got.dim() > MAX_DIMS or expected.numel() > MAX_CELLS or got.numel() > MAX_CELLS:
        return None
    if expected.numel() == 0:
        return None
    dtype = str(expected.dtype).removeprefix("torch.")
    same = tuple(expected.shape) == tuple(got.shape)
    tol = TOLERANCE.get(dtype)
    e_parts, count = _slices(expected.detach().cpu(), max_slices)
    slices, got_slices = [], []
    differing = 0
    if same:
        g_parts, _ = _slices(got.detach().cpu(), max_slices)
        for (label, e), (_, g) in zip(e_parts, g_parts):
            e_rows, g_rows = _as_rows(e), _as_rows(g)
            differs = [[_differ(a, b, tol) for a, b in zip(er, gr)] for er, gr in zip(e_rows, g_rows)]
            slices.append(Slice(label, e_rows, g_rows, differs))
        flat_e, flat_g = expected.reshape(-1).tolist(), got.reshape(-1).tolist()
        differing = sum(_differ(a, b, tol) for a, b in zip(flat_e, flat_g))
    else:
        slices = [Slice(label, _as_rows(e), None) for label, e in e_parts]
        if got.numel():
            g_parts, _ = _slices(got.detach().cpu(), max_slices)
            got_slices = [Slice(label, _as_rows(g), None) for label, g in g_parts]
    note = f"showing {len(e_parts)} of {count} slices along the leading axes" if count > len(e_parts) else ""
    return Grids(
        label=str(detail.get("label", "output")),
        expected_shape=tuple(expected.shape),
        got_shape=tuple(got.shape),
        dtype=dtype,
        slices=slices,
        got_slices=got_slices,
        note=note,
        differing=differing,
        total=expected.numel(),
    )


def fmt_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


@dataclass
class Picture:
    """A small failing case drawn beside the first failure, when that one is too big to draw."""

    case: str  # the verdict's case it stands for, e.g. "hidden 7"
    seed: int | None  # set when it is an analogous case rebuilt from a hidden case's seed
    grids: Grids


def find_picture(judge, verdict, source: str | bytes, tries: int = 3) -> Picture | None:
    """When the first failure has no picture, one that shows the same mistake small: another
    visible failing case with small outputs, or an analogous case of a failed hidden case,
    graded again from its seed (new values, the same sizes and layout: hidden data stays hidden).
    Costs at most `tries` extra gradings of one case each."""
    first = verdict.first_failure
    if first is None or first.kind in ("error", "timeout", "memory", "rule") or tensor_grids(first.detail) is not None:
        return None
    same_kind = [c for c in verdict.cases if c.status == "failed" and c.kind == first.kind and c is not first]
    for c in same_kind:
        grids = None if c.hidden else tensor_grids(c.detail)
        if grids is not None:
            return Picture(c.name, None, grids)
    cases = {case.name: case for case in judge.suite(verdict.kata).cases if case.hidden and case.seed is not None}
    hidden = [c for c in same_kind if c.hidden and c.name in cases]
    hidden.sort(key=lambda c: sum(getattr(a, "numel", lambda: 0)() for a in cases[c.name].args))  # smallest first
    for c in hidden[:tries]:
        seed = cases[c.name].seed
        again = judge.grade(verdict.kata, source, seed=seed).first_failure
        grids = tensor_grids(again.detail) if again is not None else None
        if grids is not None:
            return Picture(c.name, seed, grids)
    return None
