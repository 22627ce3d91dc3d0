"""Read a wrong shape in terms of the input's axes: which were kept, dropped or moved.

Each output axis is matched by size against the input's named axes (the kata's einops pattern
names them; without one they are `axis 0`, `axis 1`, ... of the input) and, for a pattern, its
groups such as `(h d)`. Sizes can coincide, so an axis may read as `h or w`; a story is told only
from what the sizes of the very case it describes show. Only shapes (tuples of ints) are read here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlkatas.engine.explain import format_side, parse_side

MAX_CANDIDATES = 2  # an axis that could be any of more names than this reads as `?`


@dataclass(frozen=True)
class AxisNames:
    """Named sizes the axes of an output can be read against, and the expected output's names."""

    sizes: dict[str, int]  # name -> size: the input's axes, and a pattern's groups
    expected: list[str] | None  # the expected output's axes by name (a pattern's right side)
    input_order: list[str]  # the input's axes in order

    @classmethod
    def from_pattern(cls, pattern: str, input_shape: tuple[int, ...], known: dict[str, int]) -> AxisNames | None:
        """Names from `pattern` (`b h w -> b w h`) for an input of `input_shape`; `known` gives
        the sizes inside composite groups (the case's sizes). None when the two do not fit."""
        left_side, _, right_side = pattern.partition("->")
        left, right = parse_side(left_side), parse_side(right_side)
        if len(left) != len(input_shape):
            return None
        atoms: dict[str, int] = {}
        for group, dim in zip(left, input_shape, strict=True):
            unknown = [a for a in group if a not in known]
            if len(group) == 1:
                atoms[group[0]] = dim
            elif len(unknown) <= 1:
                product = math.prod(known[a] for a in group if a in known)
                for a in group:
                    atoms[a] = known[a] if a in known else (dim // product if product else 0)
        sizes = dict(atoms)
        for group in left + right:
            if len(group) > 1 and all(a in atoms for a in group):
                sizes[format_side([group])] = math.prod(atoms[a] for a in group)
        return cls(sizes, [format_side([g]) for g in right], [format_side([g]) for g in left])

    @classmethod
    def by_position(cls, input_shape: tuple[int, ...]) -> AxisNames:
        names = [f"axis {i}" for i in range(len(input_shape))]
        return cls(dict(zip(names, input_shape, strict=True)), None, names)

    def read(self, shape: tuple[int, ...]) -> list[list[str]]:
        """For each axis of `shape`, the names whose size it has (empty: none fits)."""
        return [[n for n, size in self.sizes.items() if size == dim] for dim in shape]


def _word(candidates: list[str]) -> str:
    if not candidates or len(candidates) > MAX_CANDIDATES:
        return "?"
    return " or ".join(candidates)


def _reading(candidates: list[list[str]]) -> str:
    return "(" + ", ".join(_word(c) for c in candidates) + ")"


def _kept_in_order(names: AxisNames, expected_shape: tuple[int, ...]) -> list[str] | None:
    """Without a pattern, the expected output's axes by size, trusted only when each size names
    one input axis and they keep the input's order (a reduction such as `b c h w -> b c`): a
    merged axis can have the size of an unrelated one by chance."""
    read = names.read(expected_shape)
    if any(len(c) != 1 for c in read):
        return None
    wanted = [c[0] for c in read]
    order = [names.input_order.index(n) for n in wanted]
    return wanted if order == sorted(set(order)) else None


def shape_story(names: AxisNames, expected_shape: tuple[int, ...], got_shape: tuple[int, ...]) -> str | None:
    """What a wrong shape did to the input's axes, e.g. `its axes read as (b, h), expected (b, c):
    c is missing; h should not be there`; None when the sizes say nothing certain."""
    got = names.read(got_shape)
    exact = [c[0] if len(c) == 1 else None for c in got]
    wanted = names.expected or _kept_in_order(names, expected_shape)
    if not wanted:
        return None
    said: list[str] = []
    if all(exact) and sorted(map(str, exact)) == sorted(wanted):
        said.append("the right axes in another order")
        if list(exact) == names.input_order[::-1] and len(exact) > 2:
            said.append("every axis reversed, as `.T` does to a tensor of more than two axes")
    else:
        missing = [e for e in wanted if not any(e in c for c in got)]
        extra = [_word(c) for c in got if c and len(c) <= MAX_CANDIDATES and not set(c) & set(wanted)]
        unread = [i for i, c in enumerate(got) if not c]
        if missing and unread and len(got_shape) >= len(wanted):
            # as many axes as expected, one of a size no input axis has: it stands where the missing
            # one belongs, so "missing" would be false; say which axis and, if a multiple, how many times
            if len(missing) == len(unread) == 1:
                name, size = missing[0], got_shape[unread[0]]
                times = size // names.sizes[name] if names.sizes[name] and size % names.sizes[name] == 0 else 0
                said.append(f"axis {unread[0]} has size {size}" + (f" ({times} × {name})" if times > 1 else "")
                            + f" where {name} (size {names.sizes[name]}) belongs")
            missing = []
        if missing:
            said.append(", ".join(f"{m} (size {names.sizes[m]})" for m in missing)
                        + (" is" if len(missing) == 1 else " are") + " missing")
        if extra:
            said.append(", ".join(extra) + " should not be there")
    if not said:
        return None
    return (f"Read by size against the input's axes, yours are {_reading(got)} where ({', '.join(wanted)}) "
            "was expected: " + "; ".join(said))


def _shape_of(value) -> tuple[int, ...] | None:
    """A tensor's shape; a list of equal tensors reads as if stacked."""
    if hasattr(value, "shape"):
        return tuple(int(s) for s in value.shape)
    if isinstance(value, (list, tuple)) and value and hasattr(value[0], "shape"):
        return (len(value), *(int(s) for s in value[0].shape))
    return None


def axis_names(kata, case) -> AxisNames | None:
    """The names a case's input axes go by: the kata's pattern's, else their positions."""
    if kata.pattern and kata.pattern_input < len(case.args):
        shape = _shape_of(case.args[kata.pattern_input])
        return AxisNames.from_pattern(kata.pattern, shape, case.sizes) if shape is not None else None
    shapes = [s for s in map(_shape_of, case.args) if s is not None]
    return AxisNames.by_position(shapes[0]) if shapes else None
