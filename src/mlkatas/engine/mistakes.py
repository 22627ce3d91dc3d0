"""A kata's known mistakes, as its cases.py declares them, and the ones that come together.

`MISTAKES` lists (name, compute, message): one wrong approach each. `COMBINED_MISTAKES` lists
((name, name, ...), compute): several of those made in one submission (code copied from a real
project often makes two), computed by the author, explained with the messages of its parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from mlkatas.catalog.kata import KataFormatError


@dataclass
class Mistake:
    """A known wrong approach and what to tell a learner whose output matches it."""

    name: str
    compute: Callable[..., Any]
    message: str


def load_mistakes(module: ModuleType, path: Path) -> list[Mistake]:
    """The single mistakes, then the combined ones (each explained by all of its parts)."""
    singles = [Mistake(*m) for m in getattr(module, "MISTAKES", [])]
    by_name = {m.name: m for m in singles}
    combined = []
    for i, entry in enumerate(getattr(module, "COMBINED_MISTAKES", [])):
        where = f"COMBINED_MISTAKES[{i}]"
        if not (isinstance(entry, tuple) and len(entry) == 2 and callable(entry[1])):
            raise KataFormatError(path, where, "must be ((name, name, ...), compute)")
        names, compute = entry
        if isinstance(names, str) or len(names) < 2:
            raise KataFormatError(path, where, "names at least two mistakes of MISTAKES")
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise KataFormatError(path, where, f"names no mistake of MISTAKES: {', '.join(map(repr, unknown))}")
        combined.append(Mistake(" + ".join(names), compute, combined_message([by_name[n] for n in names])))
    return singles + combined


def combined_message(parts: list[Mistake]) -> str:
    lines = "; ".join(f"({i}) {p.message}" for i, p in enumerate(parts, 1))
    return f"{_COUNT.get(len(parts), str(len(parts)))} mistakes at once: {lines}"


_COUNT = {2: "Two", 3: "Three", 4: "Four"}
