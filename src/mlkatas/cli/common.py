"""What every command shares: usage errors, the catalogue, the workspace."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from mlkatas.catalog import Catalog, UnknownKata
from mlkatas.learner.progress import kata_on
from mlkatas.learner.workspace import Workspace, WorkspaceError
from mlkatas.views import terminal as render

USAGE_ERROR = 2


def fail_usage(message: str) -> typer.Exit:
    render.console(stderr=True).print(f"[bold red]error:[/bold red] {escape(message)}")
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
        raise fail_usage(str(exc)) from None


def workspace_error(exc: WorkspaceError) -> typer.Exit:
    return fail_usage(
        f"cannot use the progress file {exc.path}: {exc.problem}.\n"
        "mlkatas leaves it as it is; nothing was changed."
    )


def open_workspace(create: bool = False) -> Workspace | None:
    """The workspace with its state read and checked (exit 2 if the state file is unusable).
    Without `create`, None when there is none; with it, a new one at ./katas (saved on first change)."""
    ws = Workspace.find_or_new() if create else Workspace.find()
    if ws is None:
        return None
    try:
        _ = ws.state  # read and validate now, so a bad file is reported before any work
    except WorkspaceError as exc:
        raise workspace_error(exc) from None
    return ws


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
        raise fail_usage("no kata to choose: name one (`mlkatas list` shows them all)")
    return chosen
