"""Which kata the learner is on, and which to work on now: the one rule every front end asks.

The kata the learner is *on* is the one last started, reset or moved to (the state's "current"),
while the catalogue still has it; commands about one kata (hint, solution, reset) default to it,
solved or not, so `mlkatas solution` right after a solve shows that kata's reference. The kata to
*work on* moves past it once it is solved: `mlkatas watch` opens that one.

`order` is the catalogue's order of slugs (`list(catalog.katas)`). No rich, typer or torch here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlkatas.learner.workspace import Workspace


def kata_on(ws: "Workspace | None", order: list[str]) -> str | None:
    """The current kata while `order` has it, else the first unsolved one (with no workspace:
    the first kata). None when nothing is current and every kata is solved."""
    if ws is None:
        return next(iter(order), None)
    if ws.current in order:
        return ws.current
    return ws.first_unsolved(order)


def kata_to_work_on(ws: "Workspace", order: list[str]) -> str | None:
    """The kata on (see `kata_on`) while it is unsolved, else the next unsolved one after it,
    wrapping round; once every kata is solved, the kata on, or the first. None only for an
    empty catalogue."""
    on = kata_on(ws, order)
    if on is not None and on in set(ws.solved()):
        on = ws.next_unsolved(order, on) or on
    return on if on is not None else next(iter(order), None)
