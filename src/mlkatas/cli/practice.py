"""The practice commands: start, watch, check, hint, next, solution, reset, progress.

Each one reads or changes the workspace (`katas/` and its state file, see workspace.py). Only
check and watch load torch (when they start the judge), so the others answer at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.text import Text

from mlkatas.catalog import Catalog
from mlkatas.catalog.kata import Kata
from mlkatas.cli.common import (
    current_or,
    fail_usage,
    get_kata,
    load_catalog,
    new_workspace_line,
    open_workspace,
    seed_tip,
    shown_path,
    starter,
    workspace_error,
)
from mlkatas.cli.invocation import command
from mlkatas.engine.verdict import Verdict
from mlkatas.learner.progress import kata_to_work_on
from mlkatas.learner.workspace import Workspace, WorkspaceError
from mlkatas.views import terminal as render
from mlkatas.views.fluency import loop_note

PANEL = "Practice"


# -- shared pieces -------------------------------------------------------------------------
def start_kata(ws: Workspace, kata: Kata):
    try:
        return ws.start(kata.slug, starter(kata))
    except WorkspaceError as exc:
        raise workspace_error(exc) from None
    except OSError as exc:
        raise fail_usage(f"cannot write {ws.kata_file(kata.slug)}: {exc.strerror or exc}") from None


def next_line(ws: Workspace, catalog: Catalog, after: str) -> Text:
    """What to do after solving `after`."""
    nxt = ws.next_unsolved(list(catalog.katas), after)
    if nxt is None:
        return Text(
            f"That was the last one: all {len(catalog)} katas solved. `{command('progress')}` shows the whole run.",
            style="bold green",
        )
    kata = catalog.get(nxt)
    return Text.assemble(
        "Next: ", (f"`{command('next')}`", "cyan"), f"  →  {kata.slug} · {kata.title} ({kata.difficulty})"
    )


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
        if ws is not None:
            out.print(Text("✓ Solved!" + (" Recorded in your progress." if first_solve else ""), style="bold green"))
            out.print(next_line(ws, catalog, kata.slug), soft_wrap=True)
        return
    tips = [f"`{command('hint', kata.slug)}` for a hint"] if kata.hints else []
    if ws is not None:
        tips.append(f"`{command('watch')}` re-checks on every save")
    if tips:
        out.print(Text(" · ".join(tips), style="dim"), soft_wrap=True)


def show_started(out: Console, kata: Kata, path: Path, created: bool) -> None:
    out.print(render.kata_panel(kata))
    where = shown_path(path)
    if created:
        out.print(Text.assemble(("Your file: ", "bold"), (where, "cyan"), " (the starter, ready for you to edit)"))
    else:
        out.print(Text.assemble(("Your file: ", "bold"), (where, "cyan"), " (already there: kept as it is)"))
    out.print(
        Text.assemble(
            "Edit it, then run ", (f"`{command('check', kata.slug)}`", "cyan"),
            ", or keep ", (f"`{command('watch')}`", "cyan"), " running in a terminal to check on every save.",
        ),
        soft_wrap=True,
    )


def _record_for(ws: Workspace | None, slug: str) -> dict:
    if ws is None:
        from mlkatas.learner.workspace import new_record

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
                render.console().print(
                    f"You have solved all {len(catalog)} katas. `{command('progress')}` shows the whole run.",
                    markup=False, soft_wrap=True,
                )
            return
    kata = get_kata(catalog, slug)
    path, created = start_kata(ws, kata)
    if as_json:
        typer.echo(json.dumps({"slug": kata.slug, "path": str(path.resolve())}))
        return
    show_started(render.console(), kata, path, created)


# typer's declaration of the file argument, as a module constant rather than a call in the default (same object)
_CHECK_FILE = typer.Argument(
    None, help="Your solution file (default: the kata's file in your workspace, katas/SLUG.py)."
)


def check(
    slug: str = typer.Argument(..., help="The kata's slug, e.g. split-heads."),
    file: Optional[Path] = _CHECK_FILE,
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
    sandbox: str = typer.Option("local", "--sandbox", help="local (your own code) or strict (code from anyone)."),
    seed: Optional[int] = typer.Option(
        None, "--seed", help="Run one case like the hidden case with this seed, values shown."
    ),
    allow_weaker: bool = typer.Option(
        False, "--allow-weaker-sandbox",
        help="With --sandbox strict: run without the layers this machine lacks (named in a warning and in the verdict) "
        "instead of refusing.",
    ),
) -> None:
    """Grade your solution against the kata's example and hidden cases. Exit 0 if it passes, 1 if not.

    Checking your workspace file (the default) records the attempt, and the solve, in your progress."""
    catalog = load_catalog()
    kata = get_kata(catalog, slug)
    if sandbox not in ("local", "strict"):
        raise fail_usage(f"--sandbox must be local or strict, not {sandbox!r}")
    ws = None
    if file is None:
        ws = open_workspace()
        if ws is None or not ws.has_file(kata.slug):
            raise fail_usage(
                f"no file for {kata.slug} in your workspace yet: `{command('start', kata.slug)}` makes one "
                "(or pass a FILE)"
            )
        file = ws.kata_file(kata.slug)
    else:
        found = Workspace.find()
        if found is not None and found.owns(file, kata.slug):
            ws = open_workspace()
    if seed is not None:
        ws = None  # one analogous case is not a solve
    try:
        source = file.read_bytes()
    except OSError as exc:
        raise fail_usage(f"cannot read {file}: {exc.strerror or exc}") from None
    from mlkatas.judge.worker.launch import prelaunch

    prelaunch(sandbox)  # the zygote imports torch while this process does (cold check: ~0.8 s sooner)
    from mlkatas.judge import Judge, SandboxUnavailable  # torch loads here, not for list/show/start
    from mlkatas.views.picture import find_picture

    picture = inputs = None
    try:
        judge = Judge(sandbox=sandbox, catalog=catalog, allow_weaker=allow_weaker)
        judge.start(wait=False)  # its zygote imports torch while this process builds the kata's cases
        try:
            verdict = judge.grade(slug, source, filename=str(file), seed=seed)
            if not as_json and seed is None:
                picture = find_picture(judge, verdict, source)
            elif not as_json and seed is not None:  # the case's public values, made in this process
                suite = judge.suite(slug)
                inputs = render.inputs_view(suite.analogous(seed)[0].args, suite.arg_names)
        finally:
            judge.close()
    except SandboxUnavailable as exc:
        raise fail_usage(str(exc)) from None
    out = None if as_json else render.console()
    if as_json:
        typer.echo(json.dumps(verdict.to_dict(), indent=2))
    else:
        if inputs is not None:
            out.print(inputs)
        loops = loop_note(source, kata) if verdict.passed else None
        out.print(render.verdict_view(verdict, kata, picture, loops))
        tip = seed_tip(verdict, kata, file)
        if tip is not None:
            out.print(tip, soft_wrap=True)
    after_check(ws, catalog, kata, verdict, out)
    raise typer.Exit(0 if verdict.passed else 1)


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
            render.console().print(Text(
                f"Nothing left: all {len(catalog)} katas solved. `{command('progress')}` shows the whole run.",
                style="bold green",
            ), soft_wrap=True)
        return
    kata = catalog.get(slug)
    path, created = start_kata(ws, kata)
    if as_json:
        typer.echo(json.dumps({"slug": kata.slug, "path": str(path.resolve())}))
        return
    show_started(render.console(), kata, path, created)


def hint(
    slug: Optional[str] = typer.Argument(None, help="The kata (default: the one you are on)."),
    as_json: bool = typer.Option(
        False, "--json", help='Print {"slug", "revealed", "total", "hints": [the hints revealed so far]}.'
    ),
) -> None:
    """Reveal the next hint for a kata (each call shows one more, with the earlier ones)."""
    catalog = load_catalog()
    ws = open_workspace(create=True)
    kata = get_kata(catalog, current_or(ws, catalog, slug))
    before = revealed = 0
    if kata.hints:
        before = ws.record(kata.slug)["hints"]
        try:
            revealed = ws.reveal_hint(kata.slug, len(kata.hints))
        except WorkspaceError as exc:
            raise workspace_error(exc) from None
    if as_json:
        hints = list(kata.hints[:revealed])
        typer.echo(json.dumps({"slug": kata.slug, "revealed": revealed, "total": len(kata.hints), "hints": hints}))
        return
    out = render.console()
    if not kata.hints:
        out.print(Text(f"{kata.slug} has no hints. ") + reference_tip(ws, kata.slug), soft_wrap=True)
        return
    out.print(render.hints_view(list(kata.hints), revealed))
    if revealed == before:
        out.print(Text("No more hints. ", style="dim") + reference_tip(ws, kata.slug), soft_wrap=True)
    elif revealed < len(kata.hints):
        out.print(Text(f"Run `{command('hint', kata.slug)}` again for hint {revealed + 1}.", style="dim"),
                  soft_wrap=True)


def reference_tip(ws: Workspace | None, slug: str) -> Text:
    """How to see the reference: plainly once solved (or already seen), else by giving up."""
    record = _record_for(ws, slug)
    if record["solved"] or record["gave_up"]:
        return Text(f"`{command('solution', slug)}` shows the reference.", style="dim")
    return Text(
        f"`{command('solution', slug, '--give-up')}` shows the reference (and records that you saw it).", style="dim"
    )


def solution(
    slug: Optional[str] = typer.Argument(None, help="The kata (default: the one you are on)."),
    give_up: bool = typer.Option(
        False, "--give-up", help="Show it although you have not solved the kata; this is recorded."
    ),
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
            f"Try `{command('hint', kata.slug)}`, or `{command('solution', kata.slug, '--give-up')}` to see it anyway "
            "(recorded in your progress).",
            markup=False, soft_wrap=True,
        )
        raise typer.Exit(1)
    if give_up and not record["solved"] and ws is not None:
        try:
            ws.give_up(kata.slug)
        except WorkspaceError as exc:
            raise workspace_error(exc) from None
    out.print(render.solution_view(kata), soft_wrap=True)  # long lines wrap in the terminal, never cut
    if not record["solved"]:
        out.print(Text(
            "Recorded: solution seen. Solving it yourself still counts: check your own version any time.", style="dim"
        ))


def reset(
    slug: Optional[str] = typer.Argument(None, help="The kata (default: the one you are on)."),
) -> None:
    """Put the starter back in a kata's file; your version is kept in katas/backups/."""
    catalog = load_catalog()
    ws = open_workspace(create=True)
    kata = get_kata(catalog, current_or(ws, catalog, slug))
    try:
        backup = ws.reset(kata.slug, starter(kata))
    except WorkspaceError as exc:
        raise workspace_error(exc) from None
    except OSError as exc:
        raise fail_usage(f"cannot reset {ws.kata_file(kata.slug)}: {exc.strerror or exc}") from None
    out = render.console()
    out.print(Text.assemble("Reset ", (shown_path(ws.kata_file(kata.slug)), "cyan"), " to the starter."))
    if backup is not None:
        out.print(Text.assemble("Your previous version is in ", (shown_path(backup), "cyan"), "."))


def progress(
    as_json: bool = typer.Option(
        False, "--json", help='Print {"solved": \\[slugs], "attempted": \\[slugs]} (attempted: started, not solved).'
    ),
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
        out.print(Text.assemble(
            "\nNo workspace here yet: ", (f"`{command('start')}`", "cyan"), " begins with the first kata."
        ), soft_wrap=True)
        return
    out.print(Text(f"\nworkspace: {shown_path(ws.root)}", style="dim"))
    current = ws.current if ws.current in catalog else None
    if current and current not in solved:
        kata = catalog.get(current)
        out.print(Text.assemble(
            "You are on ", (kata.slug, "cyan"), f" · {kata.title}: ", (f"`{command('watch')}`", "cyan"), " to go on."
        ), soft_wrap=True)
    elif len(solved) < len(catalog):
        start_here = Text.assemble("Next: ", (f"`{command('start')}`", "cyan"))
        out.print(next_line(ws, catalog, current) if current else start_here, soft_wrap=True)


def watch(
    slug: Optional[str] = typer.Argument(
        None, help="The kata (default: the one you are on, or the next unsolved one)."
    ),
    poll: bool = typer.Option(
        False, "--poll",
        help="Poll for saves: for file systems without change events (network drives, some VMs and containers).",
    ),
    manual: bool = typer.Option(False, "--manual", help="Do not watch the file: check it each time you press Enter."),
) -> None:
    # the docstring is the command's help, shown as written: two literals joined, to keep its Keys line one line
    (
        """Check your kata file every time you save it, with a warm judge, and show the verdict.

    Keys: [bold]h[/bold] next hint · [bold]l[/bold] list katas (a number and Enter opens one) · """
        """[bold]n[/bold] next kata · [bold]r[/bold] reset this kata (keeps a backup; """
        """n and r ask first while there is work to lose) · [bold]Enter[/bold] check now · """
        """[bold]q[/bold] quit."""
    )
    from mlkatas.cli import watch as watch_mode

    catalog = load_catalog()
    ws = open_workspace(create=True)
    chosen = get_kata(catalog, slug).slug if slug is not None else kata_to_work_on(ws, list(catalog.katas))
    if chosen is None:
        raise fail_usage("there are no katas to watch")
    note = None
    if not ws.exists:  # said on the watch's first screen, where a line on stderr would be cleared away
        note, ws.on_create = new_workspace_line(ws), None
    try:
        code = watch_mode.run(catalog, ws, chosen, poll=poll, manual=manual, note=note)
    except WorkspaceError as exc:
        raise workspace_error(exc) from None
    raise typer.Exit(code)


def bench_watch(
    slug: str = typer.Option("split-heads", "--kata", "-k", help="The kata to save solutions of."),
    repeat: int = typer.Option(10, "--repeat", "-n", help="Saves to time."),
    cold: int = typer.Option(3, "--cold", help="Cold `mlkatas check` runs to time as the baseline (0: skip)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Time save-to-verdict in `mlkatas watch` (a real watch in a pseudo-terminal), beside a cold `mlkatas check`."""
    from mlkatas.devtools.bench_watch import bench_watch as run_bench

    catalog = load_catalog()
    kata = get_kata(catalog, slug)
    run_bench(kata, repeat, cold, render.console(), as_json)


def register(app: typer.Typer, dev: typer.Typer | None = None) -> None:
    if dev is not None:
        dev.command("bench-watch")(bench_watch)
    app.command("start", rich_help_panel=PANEL)(start)
    app.command("watch", rich_help_panel=PANEL)(watch)
    app.command("check", rich_help_panel=PANEL)(check)
    app.command("hint", rich_help_panel=PANEL)(hint)
    app.command("next", rich_help_panel=PANEL)(next_kata)
    app.command("solution", rich_help_panel=PANEL)(solution)
    app.command("reset", rich_help_panel=PANEL)(reset)
    app.command("progress", rich_help_panel=PANEL)(progress)
