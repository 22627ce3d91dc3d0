"""Rich rendering of katas, verdicts and progress for the terminal."""

from __future__ import annotations

from typing import Collection

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from mlkatas.catalog.kata import Kata
from mlkatas.engine.describe import describe_arg
from mlkatas.engine.tolerance import Tolerance
from mlkatas.engine.verdict import Verdict
from mlkatas.views import summary
from mlkatas.views.fluency import LoopNote
from mlkatas.views.grids import Grids, Slice, format_cell, tensor_grids, value_slices
from mlkatas.views.picture import Picture

STATUS_STYLE = {
    "passed": "bold green", "failed": "bold red", "error": "bold red",
    "timeout": "bold yellow", "memory": "bold yellow",
}
DIFFICULTY_STYLE = {"easy": "green", "medium": "yellow", "hard": "red"}
DIFFER_STYLE = "bold white on red"
DIFFER_EXPECTED_STYLE = "bold green underline"
DIFFER_MARK = "*"  # after a differing cell's value where there is no colour to mark it
SEP = "  ·  "  # between the parts of a line


class KataTable:
    """The katas, one line each, in the columns the width allows (a wrapped row reads as
    several katas): topics, then time, then difficulty are left out while the title and topics
    would get fewer columns than SHORTENED says; the room left goes to the title first, then
    to the topics, each shortened with … (at 80 columns: #, mark, slug, title, difficulty)."""

    COLUMNS = ("#", "", "slug", "title", "difficulty", "time", "topics")
    OPTIONAL = ("topics", "time", "difficulty")  # left out in this order
    SHORTENED = {"title": 30, "topics": 12}  # shortened down to this many columns, no further

    def __init__(self, katas: list[Kata], solved: Collection[str] = frozenset(),
                 attempted: Collection[str] = frozenset()):
        self.katas = katas
        self.solved = solved
        self.attempted = attempted

    def rows(self) -> list[dict[str, Text]]:
        rows = []
        for i, kata in enumerate(self.katas, 1):
            if kata.slug in self.solved:
                mark = Text("✓", style="bold green")
            else:
                mark = Text("•", style="yellow") if kata.slug in self.attempted else Text("")
            rows.append({
                "#": Text(str(i), style="dim"), "": mark, "slug": Text(kata.slug, style="cyan"),
                "title": Text(kata.title),
                "difficulty": Text(kata.difficulty, style=DIFFICULTY_STYLE.get(kata.difficulty, "")),
                "time": Text(kata.time), "topics": Text(", ".join(kata.topics), style="dim"),
            })
        return rows

    def widths(self, rows: list[dict[str, Text]], width: int) -> dict[str, int]:
        """Each shown column's width (cells, without padding): the most columns that fit."""
        natural = {c: max([len(c), *(r[c].cell_len for r in rows)]) for c in self.COLUMNS}
        for dropped in range(len(self.OPTIONAL) + 1):
            shown = [c for c in self.COLUMNS if c not in self.OPTIONAL[:dropped]]
            room = width - (3 * len(shown) - 1)  # a space each side of a cell, a rule between columns
            room -= sum(natural[c] for c in shown if c not in self.SHORTENED)
            least = {c: min(natural[c], self.SHORTENED[c]) for c in shown if c in self.SHORTENED}
            if room >= sum(least.values()) or dropped == len(self.OPTIONAL):
                break
        widths = {c: natural[c] for c in shown}
        spare = room - sum(least.values())
        for c, w in least.items():  # in column order: the title gets what is spare before the topics
            widths[c] = max(w + min(spare, natural[c] - w), 1)
            spare -= widths[c] - w
        return widths

    def __rich_console__(self, console: Console, options):
        rows = self.rows()
        widths = self.widths(rows, options.max_width)
        table = Table(show_edge=False, header_style="bold")
        for c, w in widths.items():
            table.add_column(c, justify="right" if c == "#" else "left", width=w, no_wrap=True, overflow="ellipsis")
        for row in rows:
            table.add_row(*(row[c] for c in widths))
        yield table


def kata_table(
    katas: list[Kata], solved: Collection[str] = frozenset(), attempted: Collection[str] = frozenset()
) -> KataTable:
    return KataTable(katas, solved, attempted)


def kata_panel(kata: Kata) -> Panel:
    meta = Text.assemble(
        (kata.difficulty, DIFFICULTY_STYLE.get(kata.difficulty, "")), f"{SEP}{kata.time}{SEP}",
        (", ".join(kata.topics), "dim"),
    )
    signature = Text.assemble(("You write: ", "bold"), kata.signature)
    body = Group(meta, Text(""), Markdown(kata.description), Text(""), signature)
    return Panel(body, title=f"[bold]{kata.slug}[/bold]", title_align="left")


def verdict_head(verdict: Verdict) -> Text:
    style = STATUS_STYLE.get(verdict.status, "bold")
    return Text.assemble((verdict.status.upper(), style), "  " + SEP.join(summary.head_parts(verdict)))


def verdict_view(verdict: Verdict, kata: Kata, picture: Picture | None = None, loops: LoopNote | None = None) -> Group:
    """The verdict on `kata`: status line, then its details (`verdict_details`)."""
    return Group(verdict_head(verdict), *verdict_details(verdict, kata, picture, loops))


def verdict_details(verdict: Verdict, kata: Kata, picture: Picture | None = None,
                    loops: LoopNote | None = None) -> list:
    """Below the status line: the first failing case (diagnosis, inputs, a picture of expected
    versus got when small, or of a small case with the same mistake), a count of the other
    failures, and what the code printed; after a pass with loops, the vectorised form. Grids mark
    cells with the kata's tolerance."""
    style = STATUS_STYLE.get(verdict.status, "bold")
    parts: list = []
    if verdict.passed and loops is not None:
        parts.append(loop_note_view(loops))
    failure = verdict.first_failure
    if failure is not None:
        title = SEP.join(summary.failure_title_parts(failure))
        parts.append(Panel(Text(failure.message), title=title, title_align="left", border_style=style))
        grids = tensor_grids(failure.detail, Tolerance.for_kata(kata))
        if grids is not None:
            parts.append(GridsView(grids))
        elif picture is not None:
            parts += [Text(summary.picture_caption(picture), style="dim"), GridsView(picture.grids)]
        others = summary.also_failed(verdict)
        if others:
            parts.append(Text(others, style="dim"))
    if verdict.output.strip():
        printed = Text(verdict.output.rstrip())
        parts.append(Panel(printed, title="your code printed", title_align="left", border_style="dim"))
    return parts


def inputs_view(args: tuple, arg_names: list[str]) -> Group:
    """A case's inputs with their values (`check --seed`): small tensors drawn as grids, the rest
    described by dtype and shape."""
    parts: list = [Text("inputs", style="bold")]
    for i, value in enumerate(args):
        name = arg_names[i] if i < len(arg_names) else f"arg{i}"
        items = list(value) if isinstance(value, (list, tuple)) and value and hasattr(value[0], "dim") else None
        for label, tensor in ([(f"{name}[{j}]", t) for j, t in enumerate(items)] if items else [(name, value)]):
            drawn = value_slices(tensor) if hasattr(tensor, "dim") else None
            parts.append(Text(describe_arg(label, tensor)))
            if drawn is None:
                if hasattr(tensor, "dim"):
                    parts.append(Text(f"  ({tensor.numel()} values: too many to print)", style="dim"))
                continue
            slices, note = drawn
            parts += [_slice_table(s, s.expected, "") for s in slices]
            if note:
                parts.append(Text(f"  ({note})", style="dim"))
    return Group(*parts)


def loop_note_view(note: LoopNote) -> Panel:
    from rich.syntax import Syntax  # pygments: only loaded when there is code to show

    code = Syntax(note.reference, "python", theme="ansi_dark", background_color="default")
    return Panel(Group(Text(note.text), code), title="the vectorised form", title_align="left", border_style="cyan")


class GridsView:
    """Expected and got for small outputs (up to 4-D, as 2-D slices), the cells that differ
    marked in both; side by side when the terminal is wide enough, else one above the other."""

    def __init__(self, grids: Grids):
        self.grids = grids

    def caption(self) -> Text:
        grids = self.grids
        caption = Text.assemble((grids.label, "bold"), f": {summary.grids_caption(grids)}")
        differ = summary.cells_differ(grids)
        if differ:
            caption.append(f" · {differ}", style="red" if grids.differing else "green")
        if grids.note:
            caption.append(f" ({grids.note})", style="dim")
        return caption

    def __rich_console__(self, console: Console, options):
        grids = self.grids
        # without colour (NO_COLOR, a pipe, a file) a style marks nothing: a character does
        marker = DIFFER_MARK if console.no_color or console.color_system is None else ""
        if grids.same_shape:
            left = [_slice_table(s, s.expected, DIFFER_EXPECTED_STYLE, marker) for s in grids.slices]
            right = [_slice_table(s, s.got, DIFFER_STYLE, marker) for s in grids.slices]
        else:
            left = [_slice_table(s, s.expected, "") for s in grids.slices]
            right = [_slice_table(s, s.expected, "") for s in grids.got_slices]
        extra = len(marker)
        needed = _width(grids.slices, extra) + 4 + _width(
            grids.got_slices if not grids.same_shape else grids.slices, extra
        )
        yield self.caption()
        if marker and grids.same_shape and grids.differing:
            yield Text(f"{marker} marks a cell that differs", style="dim")
        if needed <= options.max_width:
            outer = Table.grid(padding=(0, 4))
            outer.add_column()
            outer.add_column()
            outer.add_row(Text("expected", style="bold"), Text("got", style="bold"))
            outer.add_row(Group(*left), Group(*right))
            yield outer
        elif grids.same_shape:  # too wide for side by side: each slice's expected above its got
            for e, g in zip(left, right, strict=True):
                yield Text("expected", style="bold")
                yield e
                yield Text("got", style="bold")
                yield g
        else:
            yield Text("expected", style="bold")
            yield from left
            yield Text("got", style="bold")
            yield from right


def _width(slices: list[Slice], marker: int = 0) -> int:
    """Columns a slice table needs: the widest cell per column (plus a marker's), one space
    between columns."""
    best = 0
    for s in slices:
        widths: list[int] = []
        for table in (s.expected, s.got or []):
            for row in table:
                for c, value in enumerate(row):
                    w = len(format_cell(value)) + marker
                    if c < len(widths):
                        widths[c] = max(widths[c], w)
                    else:
                        widths.append(w)
        best = max(best, sum(widths) + max(len(widths) - 1, 0), len(s.label))
    return best


def _slice_table(s: Slice, rows: list[list], mark_style: str, marker: str = "") -> Table:
    table = Table.grid(padding=(0, 1))
    width = max((len(r) for r in rows), default=0)
    for _ in range(width):
        table.add_column(justify="right")
    if s.label:
        table.min_width = len(s.label)  # a wrapped label would shift this column against its twin
        table.title = s.label
        table.title_style = "dim"
        table.title_justify = "left"
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            marked = bool(mark_style) and bool(s.differs) and s.differs[r][c]
            text = format_cell(value) + (marker if marked else " " * len(marker))
            cells.append(Text(text, style=mark_style if marked else ""))
        table.add_row(*cells)
    return table


def hints_view(hints: list[str], revealed: int) -> Group:
    """The hints revealed so far; the newest one stands out."""
    parts = []
    for i, hint in enumerate(hints[:revealed], 1):
        newest = i == revealed
        title = f"hint {i} of {len(hints)}"
        parts.append(Panel(Markdown(hint), title=title, title_align="left", border_style="yellow" if newest else "dim"))
    return Group(*parts)


def solution_view(kata: Kata) -> Group:
    """The reference solution under a titled rule, the code in no box: print it with
    soft_wrap=True and a long line is wrapped by the terminal, never cut (and copies whole)."""
    from rich.syntax import Syntax  # pygments: only loaded when a solution is shown

    source = kata.solution.rstrip()
    code = Syntax(source, "python", theme="ansi_dark", background_color="default").highlight(source)
    code.rstrip()
    return Group(Rule(Text(f"reference solution · {kata.slug}", style="bold"), align="left"), code)


def bar_row(table: Table, label: str, done: int, total: int) -> None:
    table.add_row(label, ProgressBar(total=max(total, 1), completed=done, width=24), f"{done}/{total}")


def _bar_table(title: str) -> Table:
    """A titled table of bar_row rows: label, bar, count."""
    table = Table(title=title, title_justify="left", show_header=False, show_edge=False, box=None, padding=(0, 2))
    for _ in range(3):
        table.add_column()
    return table


def progress_view(katas: list[Kata], solved: set[str], attempted: set[str], gave_up: set[str]) -> Group:
    total = len(katas)
    done = sum(k.slug in solved for k in katas)
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_column(justify="right")
    bar_row(head, "solved", done, total)

    by_difficulty = _bar_table("by difficulty")
    for level in ("easy", "medium", "hard"):
        group = [k for k in katas if k.difficulty == level]
        if group:
            label = Text(level, style=DIFFICULTY_STYLE[level])
            bar_row(by_difficulty, label, sum(k.slug in solved for k in group), len(group))

    by_topic = _bar_table("by topic")
    topics: dict[str, list[Kata]] = {}
    for k in katas:
        for t in k.topics:
            topics.setdefault(t, []).append(k)
    shared = sorted(((t, g) for t, g in topics.items() if len(g) > 1), key=lambda kv: (-len(kv[1]), kv[0]))
    for topic, group in shared:
        bar_row(by_topic, Text(topic, style="cyan"), sum(k.slug in solved for k in group), len(group))
    single = [g[0] for t, g in topics.items() if len(g) == 1]
    if single:  # topics of one kata each: one row, or a long tail of one-kata bars
        label = Text(f"{len(single)} one-kata topics", style="dim") if shared else Text("all topics", style="cyan")
        bar_row(by_topic, label, sum(k.slug in solved for k in single), len(single))

    parts: list = [head, Text(""), by_difficulty, Text(""), by_topic]
    started = [k.slug for k in katas if k.slug in attempted]
    if started:
        parts += [Text(""), Text.assemble(("in progress: ", "bold"), ", ".join(started))]
    given = [k.slug for k in katas if k.slug in gave_up and k.slug not in solved]
    if given:
        parts.append(Text.assemble(("solution seen: ", "bold"), ", ".join(given)))
    return Group(*parts)


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)
