"""How close a float must be to count as right: the one table of default tolerances per dtype,
and a kata's choice (`exact`, or per-dtype overrides in kata.toml).

The comparison grades with it and the grids that draw expected versus got mark cells with it,
so a picture never disagrees with the verdict beside it. docs/writing-katas.md prints this table;
tests/test_tolerance_docs.py keeps the two the same. Nothing here imports torch (the CLI's
renderers import this, and most commands must start without torch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlkatas.engine.describe import fmt_dtype

if TYPE_CHECKING:
    from mlkatas.catalog.kata import Kata

# Dtypes not listed (integers, bool) always compare exactly.
DEFAULT_TOLERANCES: dict[str, dict[str, float]] = {
    "float16": {"rtol": 1e-3, "atol": 1e-5},
    "bfloat16": {"rtol": 1.6e-2, "atol": 1e-5},
    "float32": {"rtol": 1.3e-6, "atol": 1e-5},
    "float64": {"rtol": 1e-9, "atol": 1e-9},  # tight enough to catch a float32 round trip
    "complex64": {"rtol": 1.3e-6, "atol": 1e-5},
    "complex128": {"rtol": 1e-9, "atol": 1e-9},
}


@dataclass
class Tolerance:
    """A kata's tolerance: `exact` (pure rearrangements: every value must match), else the default
    table with the kata's per-dtype overrides ({dtype name: {"rtol", "atol"}}) on top."""

    exact: bool = False
    overrides: dict = field(default_factory=dict)

    @classmethod
    def for_kata(cls, kata: Kata) -> Tolerance:
        """The tolerance the kata is graded with (and its grids drawn with)."""
        return cls(kata.exact, kata.tolerances)

    def for_dtype(self, dtype: Any) -> tuple[float, float] | None:
        """(rtol, atol) for a torch dtype, or None where the comparison must be exact."""
        name = fmt_dtype(dtype)
        if self.exact or name not in DEFAULT_TOLERANCES:
            return None
        tol = {**DEFAULT_TOLERANCES[name], **self.overrides.get(name, {})}
        return float(tol["rtol"]), float(tol["atol"])

