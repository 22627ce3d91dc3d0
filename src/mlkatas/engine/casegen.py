"""Test cases and the generator that kata authors use in cases.py.

A kata's cases.py defines `example(g)` (the visible case or cases) and `hidden(g)` (one random
hidden case per call), and optionally `rule_probes(g)` and `MISTAKES`. `g` is a CaseGen: it draws
*structure* (sizes per named dimension, dtypes, memory layouts) from one seeded stream and tensor
*values* from another. A hidden case reveals only its structure seed, and the same structure seed
with public values rebuilds an analogous case on the learner's machine.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import torch

FLOATS = ("float32", "float64", "bfloat16")
INTS = ("int64", "int32")


def dtype_of(name: str) -> torch.dtype:
    dtype = getattr(torch, name, None)
    if not isinstance(dtype, torch.dtype):
        raise ValueError(f"unknown dtype {name!r}")
    return dtype


def derive_seed(*parts: object) -> int:
    """A stable 63-bit seed from any parts (no dependence on Python's hash randomisation)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass(eq=False)  # identity, not tensor comparison
class Case:
    """One call of the learner's code: positional args, and for module katas the constructor
    args and the parameters the test sets."""

    args: tuple
    init: tuple = ()
    params: dict[str, torch.Tensor] = field(default_factory=dict)
    name: str = ""
    hidden: bool = False
    seed: int | None = None  # structure seed; rebuilds an analogous case
    sizes: dict[str, int] = field(default_factory=dict)
    layouts: list[str] = field(default_factory=list)  # e.g. "x is non-contiguous (transposed)"


class CaseGen:
    """What cases.py receives: seeded choices of sizes, dtypes, layouts and values."""

    def __init__(self, structure_seed: int, value_seed: int, *, noncontiguous_p: float = 0.3,
                 ordered: bool = False):
        """`ordered`: tensors hold 0, 1, 2, ... in their own dtype (within low/high where given and
        the range has room), so that a picture of a rearrangement shows where each element went."""
        self.rng = random.Random(structure_seed)
        self.gen = torch.Generator().manual_seed(value_seed)
        self.noncontiguous_p = noncontiguous_p
        self.ordered = ordered
        self.sizes: dict[str, int] = {}
        self.layouts: list[str] = []

    # -- structure ------------------------------------------------------------------------
    def size(self, name: str, lo: int, hi: int | None = None) -> int:
        """A size for the named dimension, in [lo, hi] (exactly lo when hi is None); the smallest
        size comes up often, because off-by-one and size-1 bugs hide there. The names appear in
        feedback and let the einops `pattern` of kata.toml know each axis's size."""
        value = lo if hi is None or self.rng.random() < 0.15 else self.rng.randint(lo, hi)
        self.sizes[name] = value
        return value

    def choice(self, options: Sequence[Any]) -> Any:
        return self.rng.choice(list(options))

    def dtype(self, options: Sequence[str] = FLOATS) -> torch.dtype:
        return dtype_of(self.choice(options))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # -- values ---------------------------------------------------------------------------
    def tensor(
        self,
        shape: Sequence[int],
        dtype: torch.dtype | str = torch.float32,
        *,
        low: float | None = None,
        high: float | None = None,
        layout: str = "any",
        name: str = "x",
    ) -> torch.Tensor:
        """A random tensor; floats are N(0, 1) unless low/high are given, integers distinct where
        the range allows (so misplaced elements can be told apart). `layout` is "contiguous",
        "noncontiguous" or "any" (non-contiguous with probability noncontiguous_p)."""
        dtype = dtype_of(dtype) if isinstance(dtype, str) else dtype
        shape = tuple(int(s) for s in shape)
        values = self._values(shape, dtype, low, high)
        want_strided = layout == "noncontiguous" or (layout == "any" and self.chance(self.noncontiguous_p))
        if want_strided and values.numel() > 1:
            values, how = self._noncontiguous(values)
            self.layouts.append(f"{name} is non-contiguous ({how})")
        return values

    def _values(self, shape, dtype, low, high) -> torch.Tensor:
        numel = 1
        for s in shape:
            numel *= s
        if self.ordered and dtype != torch.bool:
            start = 0 if low is None else math.ceil(low)
            if high is None or high - start >= numel:
                return torch.arange(start, start + numel, dtype=torch.float64).reshape(shape).to(dtype)
        if dtype.is_floating_point:
            if low is None and high is None:
                data = torch.randn(shape, generator=self.gen, dtype=torch.float64)
            else:
                lo, hi = (low if low is not None else -1.0), (high if high is not None else 1.0)
                data = torch.rand(shape, generator=self.gen, dtype=torch.float64) * (hi - lo) + lo
            return data.to(dtype)
        if dtype == torch.bool:
            return torch.randint(0, 2, shape, generator=self.gen).bool()
        lo = int(low) if low is not None else -(2**15)
        hi = int(high) if high is not None else 2**15
        if hi - lo >= numel:  # distinct values: every element is recognisable
            perm = torch.randperm(hi - lo, generator=self.gen)[:numel] if hi - lo <= 2**20 else None
            if perm is not None:
                return (perm + lo).reshape(shape).to(dtype)
        return torch.randint(lo, hi, shape, generator=self.gen).to(dtype)

    def _noncontiguous(self, t: torch.Tensor) -> tuple[torch.Tensor, str]:
        """Same values, other memory layout: a transposed copy viewed back, or a strided slice."""
        if t.dim() >= 2 and self.chance(0.5):
            dims = list(range(t.dim()))
            i, j = sorted(self.rng.sample(dims, 2))
            dims[i], dims[j] = dims[j], dims[i]
            out = t.permute(dims).contiguous().permute(dims)
            if not out.is_contiguous():
                return out, "permuted memory"
        wide = torch.zeros((*t.shape[:-1], t.shape[-1] * 2), dtype=t.dtype)
        wide[..., ::2] = t
        return wide[..., ::2], "strided last axis"

    def randint(self, low: int, high: int, shape: Sequence[int]) -> torch.Tensor:
        """Integer data (indices, assignments) from the value stream, int64."""
        return torch.randint(low, high, tuple(shape), generator=self.gen)

    def randperm(self, n: int) -> torch.Tensor:
        return torch.randperm(n, generator=self.gen)

    def rand(self, shape: Sequence[int], dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return torch.rand(tuple(shape), generator=self.gen, dtype=torch.float64).to(dtype)

    def randn(self, shape: Sequence[int], dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return torch.randn(tuple(shape), generator=self.gen, dtype=torch.float64).to(dtype)

    # -- the case -------------------------------------------------------------------------
    def case(self, *args: Any, init: tuple = (), params: dict | None = None) -> Case:
        return Case(
            args=tuple(args),
            init=tuple(init),
            params=dict(params or {}),
            sizes=dict(self.sizes),
            layouts=list(self.layouts),
        )


def build_cases(
    module: Any, slug: str, hidden_count: int, *, secret: str = "hidden"
) -> list[Case]:
    """The visible example(s) and `hidden_count` hidden cases, all reproducible from the slug."""
    cases: list[Case] = []
    examples = module.example(CaseGen(derive_seed(slug, "example"), derive_seed(slug, "example-values")))
    if isinstance(examples, Case):
        examples = [examples]
    for i, case in enumerate(examples, 1):
        case.name = f"example {i}" if len(examples) > 1 else "example"
        cases.append(case)
    for i in range(1, hidden_count + 1):
        seed = derive_seed(slug, "structure", i)
        cases.append(hidden_case(module, seed, derive_seed(slug, secret, i), f"hidden {i}"))
    return cases


def hidden_case(module: Any, structure_seed: int, value_seed: int, name: str, ordered: bool = False) -> Case:
    case = module.hidden(CaseGen(structure_seed, value_seed, ordered=ordered))
    case.name, case.hidden, case.seed = name, True, structure_seed
    return case


def analogous_case(module: Any, structure_seed: int, ordered: bool = False) -> Case:
    """The hidden case's sizes, dtypes and layouts with other (public) values, for local debugging;
    `ordered`: the values 0, 1, 2, ... (CaseGen)."""
    case = hidden_case(module, structure_seed, derive_seed("public", structure_seed), f"seed {structure_seed}",
                       ordered)
    case.hidden = False
    return case


def rule_probes(module: Any, slug: str) -> list[Case]:
    make: Callable | None = getattr(module, "rule_probes", None)
    if make is None:
        return []
    return list(make(CaseGen(derive_seed(slug, "probe"), derive_seed(slug, "probe-values"), noncontiguous_p=0.0)))
