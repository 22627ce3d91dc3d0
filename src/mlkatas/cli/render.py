"""Rich rendering of katas and verdicts for the terminal."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mlkatas.engine.verdict import Verdict
from mlkatas.kata import Kata

STATUS_STYLE = {"passed": "bold green", "failed": "bold red", "error": "bold red", "timeout": "bold yellow", "memory": "bold yellow"}
DIFFICULTY_STYLE = {"easy": "green", "medium": "yellow", "hard": "red"}


def kata_table(katas: list[Kata], solved: set[str] = frozenset()) -> Table:
    table = Table(show_edge=False, header_style="bold")
    table.add_column("#", justify="right", style="dim")
    table.add_column("slug", style="cyan", no_wrap=True)
    table.add_column("title")
    table.add_column("difficulty")
    table.add_column("time", no_wrap=True)
    table.add_column("topics", style="dim")
    for i, kata in enumerate(katas, 1):
        mark = "✓ " if kata.slug in solved else ""
        table.add_row(
            str(i),
            mark + kata.slug,
            kata.title,
            Text(kata.difficulty, style=DIFFICULTY_STYLE.get(kata.difficulty, "")),
            kata.time,
            ", ".join(kata.topics),
        )
    return table


def kata_panel(kata: Kata) -> Panel:
    meta = Text.assemble(
        (kata.difficulty, DIFFICULTY_STYLE.get(kata.difficulty, "")), f"  ·  {kata.time}  ·  ", (", ".join(kata.topics), "dim")
    )
    body = Group(meta, Text(""), Markdown(kata.description), Text(""), Text.assemble(("You write: ", "bold"), kata.signature))
    return Panel(body, title=f"[bold]{kata.slug}[/bold]", title_align="left")


def verdict_view(verdict: Verdict) -> Group:
    style = STATUS_STYLE.get(verdict.status, "bold")
    passed = sum(c.status == "passed" for c in verdict.cases)
    head = Text.assemble(
        (f"{verdict.status.upper()}", style),
        f"  {verdict.kata}  ·  {passed}/{len(verdict.cases)} checks passed  ·  {verdict.elapsed_ms:.0f} ms",
    )
    parts: list = [head]
    failure = verdict.first_failure
    if failure is not None:
        title = f"{failure.name}" + (" (hidden)" if failure.hidden else "") + f"  ·  {failure.kind}"
        parts.append(Panel(Text(failure.message), title=title, title_align="left", border_style=style))
        grid = tensor_grids(failure.detail)
        if grid is not None:
            parts.append(grid)
        others = [c for c in verdict.cases if c.status == "failed" and c is not failure]
        if others:
            kinds: dict[str, int] = {}
            for c in others:
                kinds[c.kind or "?"] = kinds.get(c.kind or "?", 0) + 1
            parts.append(Text("Also failed: " + ", ".join(f"{n} × {k}" for k, n in kinds.items()), style="dim"))
    if verdict.output.strip():
        parts.append(Panel(Text(verdict.output.rstrip()), title="your code printed", title_align="left", border_style="dim"))
    return Group(*parts)


def tensor_grids(detail: dict) -> Table | None:
    """Expected and got side by side for small 1-D/2-D outputs, differing cells in red."""
    expected, got = detail.get("expected"), detail.get("got")
    if expected is None or got is None or expected.shape != got.shape or expected.dim() > 2 or expected.numel() > 64:
        return None
    e2, g2 = expected.reshape(1, -1) if expected.dim() < 2 else expected, got.reshape(1, -1) if got.dim() < 2 else got
    outer = Table.grid(padding=(0, 4))
    outer.add_row(Text("expected", style="bold"), Text("got", style="bold"))
    outer.add_row(_grid(e2, g2, False), _grid(g2, e2, True))
    return outer


def _grid(values, other, mark: bool) -> Table:
    table = Table.grid(padding=(0, 1))
    for _ in range(values.shape[1]):
        table.add_column(justify="right")
    for row, other_row in zip(values.tolist(), other.tolist()):
        cells = []
        for v, o in zip(row, other_row):
            text = f"{v:.3g}" if isinstance(v, float) else str(v)
            cells.append(Text(text, style="red bold" if mark and v != o else ""))
        table.add_row(*cells)
    return table


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)
