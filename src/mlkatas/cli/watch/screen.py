"""What the watch shows in the terminal: the whole screen, drawn again after each change."""

from __future__ import annotations

from rich.console import Console, Group
from rich.rule import Rule
from rich.text import Text

from mlkatas.cli.common import shown_path
from mlkatas.cli.watch.session import KataList, Message, Note, WatchSession
from mlkatas.views import terminal as render

KEYS_HELP = "[h] hint  [l] list  [n] next  [r] reset  [Enter] check now  [q] quit"
TONE_STYLE = {"quiet": "dim", "warning": "yellow", "error": "red", "success": "bold green"}


def watching_line(poll: bool, manual: bool) -> str:
    """How saves reach the watch, for the status line."""
    if manual:
        return "manual: press Enter to check"
    return "polling for saves" if poll else "watching for saves"


def screen(session: WatchSession, watching: str) -> Group:
    kata, catalog, ws = session.kata, session.catalog, session.ws
    solved = set(ws.solved())
    position = list(catalog.katas).index(kata.slug) + 1
    title = Text.assemble(
        ("mlkatas watch", "bold"), "  ·  ", (kata.slug, "cyan"), f" · {kata.title}",
        (f"  ·  kata {position} of {len(catalog)}, {len(solved)} solved", "dim"),
    )
    parts: list = [title, Text("")]
    if session.verdict is None:
        parts.append(render.kata_panel(kata))
        parts.append(Text.assemble("Edit ", (shown_path(session.path), "cyan"), " and save: it is checked each time."))
    else:
        parts.append(render.verdict_view(session.verdict, kata, session.picture))
        if session.verdict.passed:
            parts.append(solved_line(session))
    revealed = ws.record(kata.slug)["hints"]
    if revealed:
        parts.append(render.hints_view(list(kata.hints), revealed))
    if session.note is not None:
        parts.append(note_view(session, session.note))
    checked = f"checked {session.checked_at}  ·  " if session.checked_at else ""
    status = f"{shown_path(session.path)}  ·  {checked}{watching}"
    parts += [Rule(style="dim"), Text(status, style="dim"), Text(KEYS_HELP, style="bold")]
    return Group(*parts)


def solved_line(session: WatchSession) -> Text:
    nxt = session.next_slug
    if nxt is None:
        return Text(f"✓ Solved! That was the last one: all {len(session.catalog)} katas solved.", style="bold green")
    kata = session.catalog.get(nxt)
    return Text.assemble(
        ("✓ Solved! ", "bold green"), "Press ", ("n", "bold"),
        f" for the next kata: {kata.slug} · {kata.title} ({kata.difficulty}).",
    )


def note_view(session: WatchSession, note: Note):
    if isinstance(note, KataList):
        ws = session.ws
        return render.kata_table(list(session.catalog), set(ws.solved()), set(ws.attempted()))
    assert isinstance(note, Message)
    return Text(note.text, style=TONE_STYLE[note.tone])


def draw(out: Console, session: WatchSession, watching: str) -> None:
    out.clear()
    out.print(screen(session, watching))


def show_checking(out: Console) -> None:
    """Below the last screen while a grading runs."""
    out.print(Text("checking…", style="dim"))


def show_stopped(out: Console, session: WatchSession) -> None:
    solved = f"{len(session.ws.solved())} of {len(session.catalog)} katas solved"
    out.print(Text(f"Stopped watching. {solved}; `mlkatas progress` shows more.", style="dim"))
