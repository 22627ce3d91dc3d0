"""After a pass with loops: the vectorised form, since fluency with einops is the point of the pack.

The learner's source is read with `ast` in the trusted process, never run here: a loop is a
`for` or `while` statement or a comprehension anywhere in the file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlkatas.catalog.kata import Kata

LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
WORDS = {ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.While: "a while loop"}


@dataclass
class LoopNote:
    """Where the learner's code loops, and the kata's reference that does the same without."""

    line: int
    what: str  # "a for loop", "a comprehension"
    reference: str  # the reference's entry function (or class), as written

    @property
    def text(self) -> str:
        return (f"Right, with {self.what} (line {self.line}). Tensor operations do it in one go, "
                "as the reference does:")


def _first_loop(tree: ast.AST) -> ast.AST | None:
    loops = [n for n in ast.walk(tree) if isinstance(n, LOOPS)]
    return min(loops, key=lambda n: (n.lineno, n.col_offset)) if loops else None  # type: ignore[attr-defined]


def _entry_source(kata: Kata) -> str | None:
    """The reference's definition of the kata's entry point, when it has no loop itself."""
    try:
        tree = ast.parse(kata.solution)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == kata.entry:
            if _first_loop(node) is not None:
                return None
            return ast.get_source_segment(kata.solution, node)
    return None


def loop_note(source: str | bytes, kata: Kata) -> LoopNote | None:
    """A note for a passing `source` that loops; None when it has no loop (or does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    loop = _first_loop(tree)
    if loop is None:
        return None
    reference = _entry_source(kata)
    if reference is None:
        return None
    what = WORDS.get(type(loop), "a comprehension")
    return LoopNote(loop.lineno, what, reference)  # type: ignore[attr-defined]
