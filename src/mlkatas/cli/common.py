"""What every command shares: usage errors, the catalogue, the workspace."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.text import Text

from mlkatas.catalog import Catalog, UnknownKata
from mlkatas.catalog.kata import Kata
from mlkatas.cli.invocation import command, prefix
from mlkatas.engine.verdict import Verdict
from mlkatas.learner.progress import kata_on
from mlkatas.learner.workspace import WORKSPACE_ENV, Workspace, WorkspaceError, starter_file
from mlkatas.views import terminal as render

USAGE_ERROR = 2


def fail_usage(message: str) -> typer.Exit:
    # soft_wrap: the terminal wraps a long line, so a command in it still pastes as one line
    render.console(stderr=True).print(f"[bold red]error:[/bold red] {escape(message)}", soft_wrap=True)
    return typer.Exit(USAGE_ERROR)


def load_catalog() -> Catalog:
    catalog = Catalog.load()
    if catalog.problems:
        err = render.console(stderr=True)
        for problem in catalog.problems:
            err.print(f"[yellow]warning:[/yellow] skipped a malformed kata: {problem}")
    return catalog


def get_kata(catalog: Catalog, slug: str):
    try:
        return catalog.get(slug)
    except UnknownKata as exc:
        raise fail_usage(f"{exc} (`{command('list')}` shows them all)") from None


def workspace_error(exc: WorkspaceError) -> typer.Exit:
    return fail_usage(
        f"cannot use the progress file {exc.path}: {exc.problem}.\n"
        "mlkatas leaves it as it is; nothing was changed."
    )


def open_workspace(create: bool = False) -> Workspace | None:
    """The workspace with its state read and checked (exit 2 if the state file is unusable).
    Without `create`, None when there is none; with it, a new one at ./katas (saved on first
    change, which says so on stderr: see `new_workspace_line`)."""
    ws = Workspace.find_or_new(on_create=announce_new_workspace) if create else Workspace.find()
    if ws is None:
        return None
    try:
        _ = ws.state  # read and validate now, so a bad file is reported before any work
    except WorkspaceError as exc:
        raise workspace_error(exc) from None
    return ws


def new_workspace_line(ws: Workspace) -> str:
    """Said when a command starts a workspace: where, and why (none in this folder or above it)."""
    return (
        f"New workspace: {ws.root} (there was none in this folder or above it; "
        f"{WORKSPACE_ENV}=FOLDER uses one elsewhere)"
    )


def announce_new_workspace(ws: Workspace) -> None:
    render.console(stderr=True).print(new_workspace_line(ws), style="yellow", markup=False, soft_wrap=True)


def starter(kata: Kata) -> str:
    """The kata file `start` and `reset` write, its header naming commands as this one was started."""
    return starter_file(kata, prefix())


def seed_tip(verdict: Verdict, kata: Kata, file: Path) -> Text | None:
    """Below a verdict whose first failure is a hidden case: the command that runs a case like it
    (same sizes and layout, new values, shown), with the file that was graded."""
    failure = verdict.first_failure
    if failure is None or failure.seed is None:
        return None
    run = command("check", kata.slug, shown_path(file), "--seed", str(failure.seed))
    return Text.assemble("To see a case like this hidden one, values shown: ", (f"`{run}`", "cyan"))


def shown_path(path: Path) -> str:
    """A path as the learner would type it: relative to the current folder when below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def current_or(ws: Workspace | None, catalog: Catalog, slug: str | None) -> str:
    """The kata a command is about: the given slug, else the current one, else the first unsolved."""
    if slug:
        return get_kata(catalog, slug).slug
    chosen = kata_on(ws, list(catalog.katas))
    if chosen is None:
        raise fail_usage(f"no kata to choose: name one (`{command('list')}` shows them all)")
    return chosen
