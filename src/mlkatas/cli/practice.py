"""The practice commands: start, next, hint, solution, reset, progress (and watch's entry point).

Each one reads or changes the workspace (`katas/` and its state file, see workspace.py); none
imports torch, so they answer at once. `check` lives in app.py and calls `after_check` here.
"""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.console import Console
from rich.text import Text

from mlkatas.catalog import Catalog
from mlkatas.cli import render
from mlkatas.cli.common import current_or, fail_usage, get_kata, load_catalog, open_workspace, shown_path, workspace_error
from mlkatas.engine.verdict import Verdict
from mlkatas.kata import Kata
from mlkatas.workspace import Workspace, WorkspaceError, starter_file

PANEL = "Practice"


# -- shared pieces -------------------------------------------------------------------------
def start_kata(ws: Workspace, kata: Kata):
    try:
        return ws.start(kata.slug, starter_file(kata))
    except WorkspaceError as exc:
        raise workspace_error(exc) from None
    except OSError as exc:
        raise fail_usage(f"cannot write {ws.kata_file(kata.slug)}: {exc.strerror or exc}") from None


def next_line(ws: Workspace, catalog: Catalog, after: str) -> Text:
    """What to do after solving `after`."""
    nxt = ws.next_unsolved(list(catalog.katas), after)
    if nxt is None:
        return Text(f"That was the last one: all {len(catalog)} katas solved. `mlkatas progress` shows the whole run.", style="bold green")
    kata = catalog.get(nxt)
    return Text.assemble("Next: ", ("mlkatas next", "cyan"), f"  →  {kata.slug} · {kata.title} ({kata.difficulty})")


def after_check(ws: Workspace | None, catalog: Catalog, kata: Kata, verdict: Verdict, out: Console | None) -> None:
    """Record a check of the workspace file and, in text mode, say what to do next."""
    first_solve = False
    if ws is not None:
        try:
            first_solve = ws.record_check(kata.slug, verdict.status)
        except WorkspaceError as exc:
            raise workspace_error(exc) from None
    if out is None:
        return
    if verdict.passed:
        out.print(Text("✓ Solved!" + (" Recorded in your progress." if first_solve else ""), style="bold green"))
        if ws is not None:
            out.print(next_line(ws, catalog, kata.slug))
    else:
        tips = [f"`mlkatas hint {kata.slug}` for a hint"] if kata.hints else []
        tips.append("`mlkatas watch` re-checks on every save")
        out.print(Text(" · ".join(tips), style="dim"))


def show_started(out: Console, kata: Kata, path, created: bool, watch_tip: bool = True) -> None:
    out.print(render.kata_panel(kata))
    where = shown_path(path)
    if created:
        out.print(Text.assemble(("Your file: ", "bold"), (where, "cyan"), " (the starter, ready for you to edit)"))
    else:
        out.print(Text.assemble(("Your file: ", "bold"), (where, "cyan"), " (already there: kept as it is)"))
    if watch_tip:
        out.print(
            Text.assemble(
                "Edit it, then run ", ("mlkatas check " + kata.slug, "cyan"),
                ", or keep ", ("mlkatas watch", "cyan"), " running in a terminal to check on every save.",
            )
        )


def _record_for(ws: Workspace | None, slug: str) -> dict:
    if ws is None:
        from mlkatas.workspace import new_record

        return new_record()
    return ws.record(slug)


# -- commands ------------------------------------------------------------------------------
def start(
    slug: Optional[str] = typer.Argument(None, help="The kata to start (default: the first one you have not solved)."),
    as_json: bool = typer.Option(False, "--json", help='Print {"slug", "path"} only.'),
) -> None:
    """Put a kata's starter file in your workspace (./katas/) and show the task.

    An existing file is never overwritten: starting a kata again just shows where it is."""
    catalog = load_catalog()
    ws = open_workspace(create=True)
    if slug is None:
        slug = ws.first_unsolved(list(catalog.katas))
        if slug is None:
            if as_json:
                typer.echo(json.dumps({"slug": None, "path": None}))
            else:
                render.console().print(f"You have solved all {len(catalog)} katas. `mlkatas progress` shows the whole run.")
            return
    kata = get_kata(catalog, slug)
    path, created = start_kata(ws, kata)
    if as_json:
        typer.echo(json.dumps({"slug": kata.slug, "path": str(path.resolve())}))
        return
    show_started(render.console(), kata, path, created)


def next_kata(
    as_json: bool = typer.Option(False, "--json", help='Print {"slug", "path"} only.'),
) -> None:
    """Move on: start the next kata you have not solved, after the current one."""
    catalog = load_catalog()
    ws = open_workspace(create=True)
    slug = ws.next_unsolved(list(catalog.katas), ws.current)
    if slug is None:
        if as_json:
            typer.echo(json.dumps({"slug": None, "path": None}))
        else:
            render.console().print(Text(f"Nothing left: all {len(catalog)} katas solved. `mlkatas progress` shows the whole run.", style="bold green"))
        return
    kata = catalog.get(slug)
    path, created = start_kata(ws, kata)
    if as_json:
        typer.echo(json.dumps({"slug": kata.slug, "path": str(path.resolve())}))
        return
    show_started(render.console(), kata, path, created)


def hint(
    slug: Optional[str] = typer.Argument(None, help="The kata (default: the one you are on)."),
) -> None:
    """Reveal the next hint for a kata (each call shows one more, with the earlier ones)."""
    catalog = load_catalog()
    ws = open_workspace(create=True)
    kata = get_kata(catalog, current_or(ws, catalog, slug))
    out = render.console()
    if not kata.hints:
        out.print(f"{kata.slug} has no hints. `mlkatas solution {kata.slug} --give-up` shows the reference.")
        return
    before = ws.record(kata.slug)["hints"]
    try:
        revealed = ws.reveal_hint(kata.slug, len(kata.hints))
    except WorkspaceError as exc:
        raise workspace_error(exc) from None
    out.print(render.hints_view(list(kata.hints), revealed))
    if revealed == before:
        out.print(Text(f"No more hints. `mlkatas solution {kata.slug} --give-up` shows the reference (and records that you saw it).", style="dim"))
    elif revealed < len(kata.hints):
        out.print(Text(f"Run `mlkatas hint {kata.slug}` again for hint {revealed + 1}.", style="dim"))


def solution(
    slug: Optional[str] = typer.Argument(None, help="The kata (default: the one you are on)."),
    give_up: bool = typer.Option(False, "--give-up", help="Show it although you have not solved the kata; this is recorded."),
) -> None:
    """Show the reference solution: once you have solved the kata, or with --give-up."""
    catalog = load_catalog()
    ws = open_workspace(create=give_up)
    kata = get_kata(catalog, current_or(ws, catalog, slug))
    record = _record_for(ws, kata.slug)
    out = render.console()
    if not (record["solved"] or record["gave_up"] or give_up):
        out.print(
            f"You have not solved {kata.slug} yet, so its solution stays hidden.\n"
            f"Try `mlkatas hint {kata.slug}`, or `mlkatas solution {kata.slug} --give-up` to see it anyway (recorded in your progress)."
        )
        raise typer.Exit(1)
    if give_up and not record["solved"] and ws is not None:
        try:
            ws.give_up(kata.slug)
        except WorkspaceError as exc:
            raise workspace_error(exc) from None
    out.print(render.solution_view(kata))
    if not record["solved"]:
        out.print(Text("Recorded: solution seen. Solving it yourself still counts: check your own version any time.", style="dim"))


def reset(
    slug: Optional[str] = typer.Argument(None, help="The kata (default: the one you are on)."),
) -> None:
    """Put the starter back in a kata's file; your version is kept in katas/backups/."""
    catalog = load_catalog()
    ws = open_workspace(create=True)
    kata = get_kata(catalog, current_or(ws, catalog, slug))
    try:
        backup = ws.reset(kata.slug, starter_file(kata))
    except WorkspaceError as exc:
        raise workspace_error(exc) from None
    except OSError as exc:
        raise fail_usage(f"cannot reset {ws.kata_file(kata.slug)}: {exc.strerror or exc}") from None
    out = render.console()
    out.print(Text.assemble("Reset ", (shown_path(ws.kata_file(kata.slug)), "cyan"), " to the starter."))
    if backup is not None:
        out.print(Text.assemble("Your previous version is in ", (shown_path(backup), "cyan"), "."))


def progress(
    as_json: bool = typer.Option(False, "--json", help='Print {"solved": [slugs], "attempted": [slugs]} (attempted: started, not solved).'),
) -> None:
    """Show what you have solved, per difficulty and topic."""
    catalog = load_catalog()
    ws = open_workspace(create=False)
    solved = ws.solved() if ws else []
    attempted = ws.attempted() if ws else []
    order = {slug: i for i, slug in enumerate(catalog.katas)}

    def ordered(slugs: list[str]) -> list[str]:  # catalogue order; katas no longer in it last
        return sorted(slugs, key=lambda s: (order.get(s, len(order)), s))

    if as_json:
        typer.echo(json.dumps({"solved": ordered(solved), "attempted": ordered(attempted)}, indent=2))
        return
    out = render.console()
    gave_up = {s for s, r in ws.state["katas"].items() if r.get("gave_up")} if ws else set()
    out.print(render.progress_view(list(catalog), set(solved), set(attempted), gave_up))
    if ws is None:
        out.print(Text.assemble("\nNo workspace here yet: ", ("mlkatas start", "cyan"), " begins with the first kata."))
        return
    out.print(Text(f"\nworkspace: {shown_path(ws.root)}", style="dim"))
    if len(solved) < len(catalog):
        out.print(next_line(ws, catalog, ws.current) if ws.current else Text.assemble("Next: ", ("mlkatas start", "cyan")))


def register(app: typer.Typer) -> None:
    app.command("start", rich_help_panel=PANEL)(start)
    app.command("next", rich_help_panel=PANEL)(next_kata)
    app.command("hint", rich_help_panel=PANEL)(hint)
    app.command("solution", rich_help_panel=PANEL)(solution)
    app.command("reset", rich_help_panel=PANEL)(reset)
    app.command("progress", rich_help_panel=PANEL)(progress)
