"""What the watch shows in the terminal: the whole screen, drawn again after each change.

On a terminal the screen is kept within its height (fit.py): the title, the verdict's status
line, the note (a question the learner must see) and the key help always show; the verdict's
details, the hints and the list of katas are cut, with a line that says so, when they do not.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from mlkatas.cli.common import seed_tip, shown_path
from mlkatas.cli.invocation import command
from mlkatas.cli.watch.fit import Fitted, Part
from mlkatas.cli.watch.session import Confirm, KataList, Message, Note, WatchSession
from mlkatas.views import terminal as render

KEYS_HELP = "[h] hint  [l] list  [n] next  [r] reset  [Enter] check now  [q] quit"
TONE_STYLE = {"quiet": "dim", "warning": "yellow", "error": "red", "success": "bold green"}
# Rows left free under the screen: the "checking…" line a check prints, and the cursor's line.
SPARE_ROWS = 2
TALLER = "a taller terminal shows them"


def watching_line(poll: bool, manual: bool) -> str:
    """How saves reach the watch, for the status line."""
    if manual:
        return "manual: press Enter to check"
    return "polling for saves" if poll else "watching for saves"


def screen(session: WatchSession, watching: str, height: int | None = None) -> Fitted:
    """The screen, in at most `height` lines when given. While the list is open it stands in
    for the task or the verdict's details and the hints."""
    kata, ws, verdict = session.kata, session.ws, session.verdict
    listing = isinstance(session.note, KataList)
    top: list = [title_row(session), Text("")]
    parts: list[Part] = []
    bottom: list = []
    if verdict is None:
        if not listing:
            parts.append(Part(render.kata_panel(kata), f"{{n}} more lines of the task: {TALLER}"))
        bottom.append(Text.assemble("Edit ", (shown_path(session.path), "cyan"), " and save: it is checked each time."))
    else:
        top.append(render.verdict_head(verdict))
        details = render.verdict_details(verdict, kata, session.picture, session.loops)
        if details and not listing:
            parts.append(Part(Group(*details), f"{{n}} more lines of the verdict: {TALLER}"))
        if verdict.passed:
            bottom.append(solved_line(session))
        elif (tip := seed_tip(verdict, kata, session.path)) is not None:
            bottom.append(tip)
    revealed = ws.record(kata.slug)["hints"]
    if revealed and not listing:  # the newest hint is the last: a cut keeps it
        parts.append(Part(render.hints_view(list(kata.hints), revealed), f"{{n}} lines of hints: {TALLER}", "end"))
    if listing:
        table = render.kata_table(list(session.catalog), set(ws.solved()), set(ws.attempted()))
        parts.append(Part(table, f"{{n}} more katas: {TALLER} (their numbers work all the same)"))
    if session.note is not None:
        bottom.append(note_view(session, session.note))
    checked = f"checked {session.checked_at}  ·  " if session.checked_at else ""
    status = f"{shown_path(session.path)}  ·  {checked}{watching}"
    bottom += [Rule(style="dim"), Text(status, style="dim"), Text(KEYS_HELP, style="bold")]
    return Fitted(top, parts, bottom, height)


def title_row(session: WatchSession) -> Table:
    """One line: the kata (its title shortened when the line is narrow), and where it stands."""
    kata, catalog = session.kata, session.catalog
    position = list(catalog.katas).index(kata.slug) + 1
    row = Table.grid(expand=True, padding=(0, 0, 0, 2))
    row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    row.add_column(no_wrap=True, justify="right")
    row.add_row(
        Text.assemble(("mlkatas watch", "bold"), "  ·  ", (kata.slug, "cyan"), f" · {kata.title}"),
        Text(f"kata {position} of {len(catalog)}, {len(session.ws.solved())} solved", style="dim"),
    )
    return row


def solved_line(session: WatchSession) -> Text:
    nxt = session.next_slug
    if nxt is None:
        return Text(f"✓ Solved! That was the last one: all {len(session.catalog)} katas solved.", style="bold green")
    kata = session.catalog.get(nxt)
    return Text.assemble(
        ("✓ Solved! ", "bold green"), "Press ", ("n", "bold"),
        f" for the next kata: {kata.slug} · {kata.title} ({kata.difficulty}).",
    )


def note_view(session: WatchSession, note: Note) -> Text:
    if isinstance(note, KataList):
        return pick_line(session, note)
    if isinstance(note, Confirm):
        return Text(note.text, style="bold yellow")
    assert isinstance(note, Message)
    return Text(note.text, style=TONE_STYLE[note.tone])


def pick_line(session: WatchSession, listing: KataList) -> Text:
    """Under the list: how to open a kata from it, or the kata the typed number opens."""
    if listing.problem:
        return Text(listing.problem + " Type another number, or Esc.", style="red")
    if not listing.typed:
        return Text.assemble("Type a kata's number and press ", ("Enter", "bold"), " to open it; Esc closes the list.")
    slug = session.picked(listing.typed)
    if slug is None:
        return Text(f"#{listing.typed}: no such kata (1 to {len(session.catalog)}); Backspace takes a digit back.",
                    style="yellow")
    return Text.assemble(("Enter", "bold"), f" opens #{int(listing.typed)} ", (slug, "cyan"),
                         "; Backspace takes a digit back.")


def draw(out: Console, session: WatchSession, watching: str) -> None:
    """The screen again from the top; on a terminal, within its height."""
    height = max(out.size.height - SPARE_ROWS, 1) if out.is_terminal else None
    out.clear()
    out.print(screen(session, watching, height))


def show_checking(out: Console) -> None:
    """Below the last screen while a grading runs."""
    out.print(Text("checking…", style="dim"))


def show_stopped(out: Console, session: WatchSession) -> None:
    solved = f"{len(session.ws.solved())} of {len(session.catalog)} katas solved"
    out.print(Text(f"Stopped watching. {solved}; `{command('progress')}` shows more.", style="dim"))
