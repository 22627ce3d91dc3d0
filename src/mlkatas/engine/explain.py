"""Say how the elements moved when an output is a rearrangement of the input.

Given the kata's einops pattern (e.g. `b n (h d) -> b h n d`), the input and the learner's output,
find which input element landed at each output position (inputs have distinct values), then search
over the orders inside each composite input axis and over the permutations and regroupings of the
output axes for an einops pattern that produces exactly that placement.
"""

from __future__ import annotations

import itertools
import math
import re
import time

import numpy as np
import torch

MAX_AXES = 7  # 7! output orders at most
SAMPLE = 512  # positions checked per candidate before a full check of the winner

_TOKEN = re.compile(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*")


def parse_side(side: str) -> list[list[str]]:
    """`b n (h d)` -> [["b"], ["n"], ["h", "d"]]."""
    groups: list[list[str]] = []
    current: list[str] | None = None
    for token in _TOKEN.findall(side):
        if token == "(":
            current = []
        elif token == ")":
            groups.append(current or [])
            current = None
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    return groups


def format_side(groups) -> str:
    return " ".join(g[0] if len(g) == 1 else "(" + " ".join(g) + ")" for g in groups)


def _axis_sizes(left: list[list[str]], shape, known: dict[str, int]) -> dict[str, int] | None:
    sizes = {}
    if len(left) != len(shape):
        return None
    for group, dim in zip(left, shape, strict=True):
        unknown = [a for a in group if a not in known]
        product = math.prod(known[a] for a in group if a in known)
        if len(unknown) > 1 or (product == 0):
            return None
        for a in group:
            sizes[a] = known[a] if a in known else dim // product
        if math.prod(sizes[a] for a in group) != dim:
            return None
    return sizes


def _comparable(t: torch.Tensor) -> np.ndarray:
    flat = t.reshape(-1)
    if flat.dtype in (torch.bfloat16, torch.float16):
        flat = flat.float()
    return flat.numpy()


def _group_output(order: tuple[str, ...], sizes: dict[str, int], out_shape) -> list[list[str]] | None:
    """Split an order of axes into consecutive groups whose sizes match the output's dims."""

    def split(i: int, d: int) -> list[list[str]] | None:
        if d == len(out_shape):
            return [] if i == len(order) else None
        product = 1
        for j in range(i, len(order)):
            product *= sizes[order[j]]
            if product > out_shape[d]:
                break
            if product == out_shape[d]:
                rest = split(j + 1, d + 1)
                if rest is not None:
                    return [list(order[i : j + 1])] + rest
        return None

    return split(0, 0)


def _inversions(groups, reference) -> int:
    """How many pairs of axes are out of the reference's order, summed over groups."""
    count = 0
    for group, ref in zip(groups, reference, strict=True):
        rank = {a: i for i, a in enumerate(ref)}
        count += sum(rank[a] > rank[b] for a, b in itertools.combinations(group, 2))
    return count


def _source_index(left, right, sizes, out_positions, out_shape) -> np.ndarray:
    """Input flat index of each sampled output position under `left -> right`."""
    axis_index: dict[str, np.ndarray] = {}
    out_multi = np.unravel_index(out_positions, tuple(out_shape))
    for group, idx in zip(right, out_multi, strict=True):
        parts = np.unravel_index(idx, tuple(sizes[a] for a in group)) if group else ()
        axis_index.update(zip(group, parts, strict=True))
    dims = [np.ravel_multi_index([axis_index[a] for a in g], tuple(sizes[a] for a in g)) for g in left]
    in_shape = tuple(math.prod(sizes[a] for a in g) for g in left)
    return np.asarray(np.ravel_multi_index(dims, in_shape))


RESHAPED = "reshape"  # what find_rearrangement says when the output is the input's memory order, reshaped


def explain_rearrangement(
    pattern: str, source: torch.Tensor, got: torch.Tensor, known_sizes: dict[str, int], name: str = "x",
    deadline: float | None = None,
) -> str | None:
    """A sentence like "your output equals rearrange(x, 'b n (d h) -> b h n d'); expected ..."."""
    found = find_rearrangement(pattern, source, got, known_sizes, deadline)
    return None if found is None else rearrangement_sentence(pattern, found, name)


def rearrangement_sentence(pattern: str, found: str, name: str = "x") -> str:
    if found == RESHAPED:
        return (
            f"your output is {name} reshaped: reshape and view keep the memory order, so no axis moved; "
            "moving axes needs a permute/transpose (or einops.rearrange)"
        )
    expected = " -> ".join(format_side(parse_side(side)) for side in pattern.split("->"))
    return f"your output equals rearrange({name}, '{found}'), but the kata asks for rearrange({name}, '{expected}')"


def rearranges_as(found: str, source: torch.Tensor, got: torch.Tensor, known_sizes: dict[str, int]) -> bool:
    """Whether `got` is exactly `source` rearranged by the pattern `found` (or reshaped)."""
    if source.numel() != got.numel() or source.dtype != got.dtype or source.is_complex():
        return False
    src, out = _comparable(source), _comparable(got)
    if found == RESHAPED:
        return tuple(source.shape) != tuple(got.shape) and np.array_equal(src, out)
    left_text, right_text = (s.strip() for s in found.split("->"))
    left, right = parse_side(left_text), parse_side(right_text)
    sizes = _axis_sizes(left, source.shape, known_sizes)
    if sizes is None:
        return False
    out_shape = tuple(math.prod(sizes[a] for a in g) for g in right)
    if out_shape != tuple(got.shape):
        return False
    return bool(np.array_equal(src[_source_index(left, right, sizes, np.arange(out.size), out_shape)], out))


def find_rearrangement(
    pattern: str, source: torch.Tensor, got: torch.Tensor, known_sizes: dict[str, int],
    deadline: float | None = None,
) -> str | None:
    """The einops pattern (`left -> right`, or RESHAPED) that turns `source` into `got` exactly.
    Values are compared, not identities, so repeated values are fine: any pattern that reproduces
    the output exactly is a true account of it. Gives up (None) at `deadline` (time.monotonic()):
    thousands of candidates can take the judge most of a second per case."""
    if "->" not in pattern:
        return None
    left_text, right_text = (s.strip() for s in pattern.split("->"))
    left, right = parse_side(left_text), parse_side(right_text)
    sizes = _axis_sizes(left, source.shape, known_sizes)
    axes = [a for g in left for a in g]
    if sizes is None or len(axes) > MAX_AXES or sorted(axes) != sorted(a for g in right for a in g):
        return None
    if source.numel() != got.numel() or source.numel() < 2 or source.is_complex() or source.dtype != got.dtype:
        return None
    src, out = _comparable(source), _comparable(got)
    expected_index = _source_index(
        left, right, sizes, np.arange(out.size), tuple(math.prod(sizes[a] for a in g) for g in right)
    )
    if (tuple(got.shape) == tuple(math.prod(sizes[a] for a in g) for g in right)
            and np.array_equal(src[expected_index], out)):
        return None  # nothing moved wrongly: the output is what the pattern gives
    rng = np.random.default_rng(0)
    sample = rng.choice(out.size, size=min(SAMPLE, out.size), replace=False)
    target = out[sample]
    if np.array_equal(src, out) and tuple(source.shape) != tuple(got.shape):
        return RESHAPED
    canonical_order = tuple(a for g in right for a in g)
    # Simplest accounts first: fewest swaps away from the kata's own pattern.
    candidates = sorted(
        (
            (_inversions(left_variant, left) + _inversions([order], [canonical_order]), left_variant, order)
            for left_variant in itertools.product(*(itertools.permutations(g) for g in left))
            for order in itertools.permutations(canonical_order)
        ),
        key=lambda c: c[0],
    )
    for _cost, left_variant, order in candidates:
        if deadline is not None and time.monotonic() > deadline:
            return None
        left_groups = [list(g) for g in left_variant]
        groups = _group_output(order, sizes, got.shape)
        if groups is None:
            continue
        if not np.array_equal(src[_source_index(left_groups, groups, sizes, sample, got.shape)], target):
            continue
        full = _source_index(left_groups, groups, sizes, np.arange(out.size), got.shape)
        if not np.array_equal(src[full], out):
            continue
        return f"{format_side(left_groups)} -> {format_side(groups)}"
    return None
