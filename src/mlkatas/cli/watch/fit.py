"""A screen kept within the terminal's height: what must show stays, the long parts are cut.

The watch draws its whole screen again after each change; taller than the terminal, its top
would scroll away, and with it the verdict's status line. So the screen is rendered to lines
first: the top and bottom lines always show, and the body's parts, in their order, are cut
until it fits, each cut part ending (or starting) with a line that says how much is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text


@dataclass(frozen=True)
class Part:
    """A part of the body that may be cut: `hidden` says what a cut hid ({n}: how many lines),
    `keep` which end of it stays ("start": its first lines, "end": its last, the newest)."""

    renderable: RenderableType
    hidden: str
    keep: Literal["start", "end"] = "start"


class Fitted:
    """`top`, the body's `parts`, then `bottom`, in at most `height` lines when one is given
    (None: everything). When even the top and bottom do not fit, they show whole anyway."""

    def __init__(self, top: list, parts: list[Part], bottom: list, height: int | None = None):
        self.top = top
        self.parts = parts
        self.bottom = bottom
        self.height = height

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        def lines(renderables: list) -> list[list[Segment]]:
            return [line for r in renderables for line in console.render_lines(r, options, pad=False)]

        top, bottom = lines(self.top), lines(self.bottom)
        body = [lines([part.renderable]) for part in self.parts]
        if self.height is not None:
            excess = len(top) + sum(map(len, body)) + len(bottom) - self.height
            for i, part in enumerate(self.parts):
                if excess <= 0:
                    break
                body[i], excess = cut(body[i], part, excess, console, options)
        for line in [*top, *(line for part in body for line in part), *bottom]:
            yield from line
            yield Segment.line()


def cut(lines: list[list[Segment]], part: Part, excess: int, console: Console, options: ConsoleOptions):
    """`lines` shortened by up to `excess` lines, a note of what was hidden in place of the cut
    ones; returns them and the excess left."""
    if len(lines) <= 1:
        return lines, excess
    hidden = min(excess + 1, len(lines))  # one more: the note takes a line
    note = Text("… " + part.hidden.format(n=hidden), style="dim", no_wrap=True, overflow="ellipsis")
    note_lines = console.render_lines(note, options, pad=False)
    kept = lines[: len(lines) - hidden] if part.keep == "start" else lines[hidden:]
    shown = [*kept, *note_lines] if part.keep == "start" else [*note_lines, *kept]
    return shown, excess - (len(lines) - len(shown))
