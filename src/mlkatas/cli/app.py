"""The `mlkatas` command: browse katas, practise them (cli/practice.py), and check the kata packs."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Optional

import typer
from rich.markup import escape

from mlkatas.catalog.kata import DIFFICULTIES
from mlkatas.cli import practice
from mlkatas.cli.common import USAGE_ERROR, fail_usage, get_kata, load_catalog  # noqa: F401
from mlkatas.cli.invocation import command, usage_name
from mlkatas.learner.workspace import Workspace, WorkspaceError
from mlkatas.views import terminal as render

app = typer.Typer(
    name="mlkatas",
    help=(
        "Tensor-manipulation katas (einops, PyTorch) with a real judge: hidden randomised tests and "
        "feedback that says what is wrong.\n\n"
        f"[bold]Start here:[/bold] [cyan]{escape(command('start'))}[/cyan] puts your first kata in ./katas/ and "
        f"shows the task; [cyan]{escape(command('watch'))}[/cyan] checks it every time you save. "
        f"[cyan]{escape(command('progress'))}[/cyan] shows how far you are."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
dev = typer.Typer(help="Tools for kata authors: prove katas check themselves, measure the judge.", no_args_is_help=True)
app.add_typer(dev, name="dev", rich_help_panel="For kata authors")

BROWSE = "Browse"
practice.register(app, dev)  # start, watch, check, hint, ...: listed first in --help


@app.command("list", rich_help_panel=BROWSE)
def list_katas(
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="Only katas with this topic."),
    difficulty: Optional[str] = typer.Option(None, "--difficulty", "-d", help="easy, medium or hard."),
    as_json: bool = typer.Option(
        False, "--json",
        help="Print a JSON list of {slug, title, difficulty, time, topics, solved, started} "
        "(started: begun, solved or not).",
    ),
) -> None:
    """List the katas, in the order to take them (✓ solved, • started)."""
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise fail_usage(f"--difficulty must be one of {', '.join(DIFFICULTIES)}, not {difficulty!r}")
    katas = load_catalog().filter(topic=topic, difficulty=difficulty)
    solved, attempted = set(), set()
    try:
        ws = Workspace.find()
        if ws is not None:
            solved, attempted = set(ws.solved()), set(ws.attempted())
    except WorkspaceError as exc:
        render.console(stderr=True).print(f"[yellow]warning:[/yellow] progress not shown: {escape(str(exc))}")
    if as_json:
        listing = [
            {**k.listing(), "solved": k.slug in solved, "started": k.slug in solved or k.slug in attempted}
            for k in katas
        ]
        typer.echo(json.dumps(listing, indent=2))
        return
    out = render.console()
    if not katas:
        out.print("No kata matches those filters.")
        return
    out.print(render.kata_table(katas, solved, attempted))


@app.command(rich_help_panel=BROWSE)
def show(
    slug: str = typer.Argument(..., help="The kata's slug, e.g. split-heads."),
    as_json: bool = typer.Option(
        False, "--json",
        help="Print {slug, title, difficulty, time, topics, entry, signature, description} "
        "(the description in Markdown).",
    ),
) -> None:
    """Show a kata's description, example and signature."""
    kata = get_kata(load_catalog(), slug)
    if as_json:
        shown = {**kata.listing(), "entry": kata.entry, "signature": kata.signature, "description": kata.description}
        typer.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    out = render.console()
    out.print(render.kata_panel(kata))
    out.print(f"Start it: `{command('start', kata.slug)}`", style="dim", markup=False, soft_wrap=True)


# typer declarations of list arguments, as module constants rather than calls in the defaults (same object either way)
_CHECK_SLUGS = typer.Argument(None, help="Katas to check (default: all).")
_BENCH_SLUGS = typer.Argument(None, help="Katas to time (default: all).")


@dev.command("check")
def dev_check(slugs: list[str] = _CHECK_SLUGS) -> None:
    """Prove katas: reference passes, starter fails, right variants pass, wrong ones get their diagnosis."""
    from mlkatas.devtools.devcheck import check_kata
    from mlkatas.judge import Judge

    catalog = load_catalog()
    katas = [get_kata(catalog, s) for s in slugs] if slugs else list(catalog)
    out = render.console()
    malformed = 0 if slugs else len(catalog.problems)  # only a whole-catalogue check answers for others' katas
    failures = 0
    with Judge(catalog=catalog) as judge:
        for kata in katas:
            result = check_kata(judge, kata)
            mark = "[green]ok[/green]" if result.ok else "[red]FAIL[/red]"
            out.print(f"{mark}  {kata.slug}")
            for line in result.lines:
                if not line.ok:
                    out.print(f"      [red]✗ {line.subject}[/red]: {line.detail}", markup=True)
            failures += not result.ok
    out.print(f"{len(katas) - failures} of {len(katas)} katas ok" + (f", {malformed} malformed" if malformed else ""))
    raise typer.Exit(1 if failures or malformed else 0)


@dev.command("bench")
def dev_bench(
    slugs: list[str] = _BENCH_SLUGS,
    repeat: int = typer.Option(5, "--repeat", "-n", help="Gradings per kata; the median is shown."),
) -> None:
    """Time grading each kata's reference in local mode, beside calling it in-process."""
    from mlkatas.devtools.bench import bench_katas

    catalog = load_catalog()
    katas = [get_kata(catalog, s) for s in slugs] if slugs else list(catalog)
    bench_katas(katas, catalog, repeat, render.console())


@dev.command("bench-judge")
def dev_bench_judge(
    kata: Optional[str] = typer.Option(
        None, "--kata", help="Kata to grade (default: the easy kata with the least input data)."
    ),
    sandbox: str = typer.Option("strict", "--sandbox", help="strict or local."),
    count: int = typer.Option(200, "--count", "-n", help="Verdicts for the latency figures."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Zygotes in the pool (default: one per core)."),
    allow_weaker: bool = typer.Option(
        False, "--allow-weaker-sandbox", help="Run strict mode without the layers this machine lacks."
    ),
    as_json: bool = typer.Option(False, "--json", help="Also print the figures as JSON."),
) -> None:
    """Cold start vs warm strict verdicts: p50/p99 latency, verdicts per second alone and with the pool busy."""
    from mlkatas.devtools.judgebench import bench_judge
    from mlkatas.judge import SandboxUnavailable

    catalog = load_catalog()
    if kata is not None:
        get_kata(catalog, kata)
    try:
        result = bench_judge(
            catalog, render.console(), kata, sandbox, count, workers=workers, allow_weaker=allow_weaker
        )
    except SandboxUnavailable as exc:
        raise fail_usage(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    if not result.valid:
        raise typer.Exit(1)


@dev.command("bench-web")
def dev_bench_web(
    katas: int = typer.Option(1000, "--katas", help="Generated community katas."),
    users: int = typer.Option(50, "--users", help="Generated users (each upvotes, saves, completes some)."),
    workers: int = typer.Option(2, "--workers", help="Server processes, as `serve --workers`."),
    seconds: float = typer.Option(5.0, "--seconds", help="wrk's duration per endpoint."),
    latency_requests: int = typer.Option(200, "--latency-requests", help="Sequential requests per endpoint (p50)."),
    kata_requests: int = typer.Option(20_000, "--kata-requests", help="Kata page requests, in windows."),
    window: float = typer.Option(3.0, "--window", help="Seconds per kata page window."),
    connections: int = typer.Option(64, "--connections", help="wrk's connections."),
    wrk: str = typer.Option("wrk", "--wrk", help="The wrk program."),
    sandbox: str = typer.Option("strict", "--sandbox", help="The server's grader and the judge it is compared "
                                                            "with: strict or local."),
    submissions: int = typer.Option(30, "--submissions", help="Submissions at an idle server (and judge): p50."),
    submit_seconds: float = typer.Option(5.0, "--submit-seconds", help="Seconds of 16 learners submitting at once "
                                                                       "(and of the judge busy)."),
    paint_runs: int = typer.Option(10, "--paint-runs", help="Fresh Chromium visits to a judged kata's page."),
    as_json: bool = typer.Option(False, "--json", help="Also print the figures as JSON."),
) -> None:
    """The web site's speed on generated data beside the targets: req/s (wrk), single-request p50,
    submit to verdict against the judge's own, and a kata page's first paint with its editor."""
    from mlkatas.devtools.bench_web import run_and_report

    if sandbox not in ("strict", "local"):
        raise typer.BadParameter(f"--sandbox is strict or local, not {sandbox!r}")
    raise typer.Exit(run_and_report(render.console(), as_json, katas=katas, users=users, workers=workers,
                                    seconds=seconds, latency_requests=latency_requests, kata_requests=kata_requests,
                                    window_s=window, connections=connections, wrk=wrk, sandbox=sandbox,
                                    submissions=submissions, submit_s=submit_seconds, paint_runs=paint_runs))


@app.command(rich_help_panel="Web site")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Server processes."),
    db: Optional[str] = typer.Option(None, "--db", help="Database URL or SQLite file (default: $MLKATAS_DB, "
                                                       "else mlkatas.db in this folder; created and migrated)."),
    sandbox: str = typer.Option("strict", "--sandbox", help="How submissions are graded: strict (the default: "
                                                            "learners' code fully sandboxed) or local (no kernel "
                                                            "sandbox; the pages say so)."),
) -> None:
    """Serve the web site: the catalogue, search, accounts, votes, saves, notes, kata submission and
    practice (submissions graded by one grader process started with the server)."""
    from mlkatas.web.serve import run

    if sandbox not in ("strict", "local"):
        raise typer.BadParameter(f"--sandbox is strict or local, not {sandbox!r}")
    run(host, port, workers, db, sandbox)


def main() -> None:
    try:
        app(prog_name=usage_name())  # usage lines and "Try ... --help" name the command as it was started
    except SystemExit as exc:
        if "torch" in sys.modules and (exc.code is None or isinstance(exc.code, int)):
            exit_now(exc.code or 0)
        raise


def exit_now(code: int) -> None:
    """End the process without the interpreter's teardown, which takes ~0.4 s once torch is
    loaded (a cold `check`, leaving a `watch`). The command has finished: the judge is closed,
    the state file written and synced; only the output is left to flush."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more reaches it anyway
            pass
    os._exit(code)
