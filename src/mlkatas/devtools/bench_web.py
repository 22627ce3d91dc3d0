"""`mlkatas dev bench-web`: the web site's speed, against the targets of issues 10 and 11.

A fresh SQLite database in a temporary folder gets generated katas, users and their upvotes, saves,
completions and notes, all through the store's own functions (the code the site runs). Then
`mlkatas serve` runs as a user starts it, on a free loopback port, and is measured from outside:

- single-request latency: one keep-alive client, sequential requests, p50 per endpoint;
- throughput: wrk (Debian's package), 64 connections, a bounded duration per endpoint;
- the kata page in consecutive windows until 20,000 requests are served, so a page that slows
  down as it runs (a leak) shows as a last window slower than the first;
- practice (issue 11): submit to verdict over HTTP against the judge's own verdicts, idle and busy
  (devtools/bench_submit.py, a judge of this process with the server's sandbox and pool size),
  and a judged kata's first paint with its editor ready in Chromium (devtools/bench_editor.py).

Missed targets are printed as such; the run fails (exit 1) only when it could not measure: no wrk,
a server that did not start, an endpoint that answered with errors, a refused or ungraded
submission, or no Chromium to paint the page.
"""

from __future__ import annotations

import datetime as dt
import gc
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from mlkatas.devtools import bench_submit
from mlkatas.devtools.bench_submit import SubmitBench, SubmitFailed
from mlkatas.devtools.stats import median, percentile
from mlkatas.store.accounts import sign_up
from mlkatas.store.actions import set_action, set_note
from mlkatas.store.community import BULK_MAX, create_katas
from mlkatas.store.db import Database
from mlkatas.store.models import DIFFICULTIES, TIMES, Kata, utcnow

# the targets
LIST_RPS = 500  # listing, filtered, search
KATA_RPS = 1300
PAGE30_WITHIN = 0.10  # page 30 within 10% of page 1
PAGE1_BESIDE = "page 1, beside page 30"  # page 1 again, in windows alternating with page 30's
FLAT_WITHIN = 0.10  # the kata page's last window within 10% of its first
P50_MS = 3.0
KATA_REQUESTS = 20_000
FIRST_PAINT_MS = 300.0  # a judged kata's page painted with its editor ready
PRACTICE_KATA = "split-heads"

TOPICS = ("einops", "pytorch", "reshape", "attention", "broadcasting", "indexing", "reduction", "convolution",
          "gather", "masking", "softmax", "embedding", "normalization", "batching", "autograd", "linear-algebra",
          "sampling", "numpy", "rnn", "transformers")
VERBS = ("Split", "Merge", "Pool", "Mask", "Gather", "Scatter", "Normalise", "Tile", "Stack", "Transpose",
         "Broadcast", "Reduce", "Shift", "Window", "Pad", "Flatten")
NOUNS = ("heads", "patches", "channels", "tokens", "batches", "frames", "pixels", "rows", "logits", "scores",
         "embeddings", "kernels", "sequences", "grids", "queries", "keys")
WORDS = ("tensor", "shape", "axis", "batch", "einops", "rearrange", "dimension", "matrix", "vector", "index",
         "sum", "mean", "query", "key", "value", "weight", "gradient", "layer", "model", "output", "input",
         "reduce", "repeat", "view", "stride", "memory", "float", "dtype", "device", "loop", "without", "each")


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    target_rps: float | None  # None: judged against another endpoint (page 30 against page 1)


@dataclass
class Throughput:
    rps: float
    requests: int
    seconds: float
    errors: int  # socket errors and timeouts wrk counted
    windows: list[float] = field(default_factory=list)  # req/s per window (the kata page)


@dataclass
class BenchWeb:
    katas: int
    users: int
    actions: int
    workers: int
    connections: int
    p50_ms: dict[str, float] = field(default_factory=dict)
    p90_ms: dict[str, float] = field(default_factory=dict)
    throughput: dict[str, Throughput] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)  # the server's memory before and after the kata run
    practice: SubmitBench | None = None
    first_paint_ms: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        figures = asdict(self)
        figures["practice"] = self.practice.to_dict() if self.practice else None
        figures["first_paint_p50_ms"] = round(median(self.first_paint_ms), 1) if self.first_paint_ms else None
        return figures


class BenchError(RuntimeError):
    """Something that stops the benchmark from measuring (not a missed target)."""


# --- data ---------------------------------------------------------------------------------------

def description(rng: random.Random, n: int) -> str:
    """A kata description of the usual shape: prose, inline and display math, a code block."""
    def prose(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k)).capitalize() + "."

    return (f"{prose(40)} The input has shape $(b, h, w, c)$ and the output $x_{{i}} = \\sum_j w_{{ij}}$.\n\n"
            f"## Example\n\n```python\nx = torch.randn(2, 3, 4)\ny = solve(x)  # kata {n}\n"
            f"assert y.shape == (2, 12)\n```\n\n{prose(60)}\n\n$$y = \\frac{{1}}{{n}} \\sum_i x_i$$\n\n{prose(30)}\n")


def kata_item(rng: random.Random, n: int) -> dict:
    return {"title": f"{rng.choice(VERBS)} the {rng.choice(NOUNS)} #{n}", "content": description(rng, n),
            "difficulty": rng.choice(DIFFICULTIES), "time": rng.choice(TIMES),
            "topics": rng.sample(TOPICS, rng.randint(1, 3))}


def generate(db: Database, katas: int, users: int, seed: int = 10) -> int:
    """Users, community katas spread over two years, and what the users did with them, through the
    store's functions. Returns how many actions were taken."""
    rng = random.Random(seed)
    with db.session() as s:
        user_ids = [sign_up(s, f"bench{i:03d}", f"bench-password-{i}").user.id for i in range(users)]
    made: list[int] = []
    for start in range(0, katas, BULK_MAX):
        with db.session() as s:
            items = [kata_item(rng, n) for n in range(start, min(katas, start + BULK_MAX))]
            made += [k.id for k in create_katas(s, rng.choice(user_ids), items, bulk=True)]
    now = utcnow()
    with db.session() as s:
        for kata in s.scalars(select(Kata).where(Kata.id.in_(made))):
            kata.created_at = now - dt.timedelta(days=rng.uniform(0, 730))  # the created filter has something to do
    taken = 0
    for user_id in user_ids:
        with db.session() as s:
            for kata in s.scalars(select(Kata).where(Kata.id.in_(rng.sample(made, min(len(made), 40))))):
                for kind, chance in (("upvote", 0.6), ("save", 0.3), ("complete", 0.3)):
                    if rng.random() < chance:
                        set_action(s, user_id, kata, kind, True)
                        taken += 1
                if rng.random() < 0.1:
                    set_note(s, user_id, kata, "came back to this one")
    return taken


# --- the server ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`mlkatas serve` in a subprocess (its own process group, so its workers stop with it)."""

    def __init__(self, db_path: Path, workers: int, log: Path, sandbox: str = "strict",
                 env: dict[str, str] | None = None):
        self.port = free_port()
        # the caller's MLKATAS_* settings stay out (a bench measures the defaults) except what it passes
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("MLKATAS_")}, **(env or {})}
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlkatas", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--db", str(db_path), "--sandbox", sandbox],
            stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )

    def wait_ready(self, path: str, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _ = get_once(self.port, path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"the server did not answer within {timeout_s:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])

    def rss_mb(self) -> float:
        """Resident memory of the server and its workers, in MB (Linux /proc; 0 where unreadable)."""
        pids, total = [self.proc.pid], 0
        for pid in pids:
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pids += [int(p) for p in (task / "children").read_text().split()]
                status = Path(f"/proc/{pid}/status").read_text()
                total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            except (OSError, AttributeError):
                continue
        return round(total / 1024, 1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


# --- measuring ----------------------------------------------------------------------------------

def get_once(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def latencies_ms(port: int, path: str, count: int, warmup: int = 20) -> list[float]:
    """Sequential GETs on one keep-alive connection (as a browser reuses one), each timed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples = []
    try:
        for i in range(warmup + count):
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                raise BenchError(f"GET {path} answered {response.status}: cannot measure it")
            if i >= warmup:
                samples.append(elapsed)
    finally:
        conn.close()
    return samples


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_TOTAL = re.compile(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def parse_wrk(output: str, path: str) -> Throughput:
    rps, total = _RPS.search(output), _TOTAL.search(output)
    if rps is None or total is None:
        raise BenchError(f"could not read wrk's output for {path}:\n{output[-800:]}")
    bad = _NON2XX.search(output)
    if bad is not None:
        raise BenchError(f"GET {path} answered {bad.group(1)} errors under load: cannot measure it")
    sockets = _SOCKET.search(output)
    errors = sum(int(n) for n in sockets.groups()) if sockets else 0
    return Throughput(float(rps.group(1)), int(total.group(1)), float(total.group(2)) * _UNITS[total.group(3)],
                      errors)


def run_wrk(wrk: str, port: int, path: str, seconds: float, connections: int) -> Throughput:
    # one wrk thread drives 64 loopback connections easily, and leaves the cores to the server
    argv = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
            f"http://127.0.0.1:{port}{path}"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}) on {path}:\n{done.stderr[-800:]}")
    return parse_wrk(done.stdout, path)


def paired_run(wrk: str, port: int, first: str, second: str, seconds: float, connections: int,
               rounds: int = 2) -> tuple[Throughput, Throughput]:
    """Two endpoints measured in alternating windows (A B A B ...), `seconds` each in all."""
    windows: dict[str, list[Throughput]] = {first: [], second: []}
    for _ in range(rounds):
        for path in (first, second):
            windows[path].append(run_wrk(wrk, port, path, seconds / rounds, connections))
    return _pooled(windows[first]), _pooled(windows[second])


def _pooled(windows: list[Throughput]) -> Throughput:
    served, seconds = sum(w.requests for w in windows), sum(w.seconds for w in windows)
    return Throughput(served / seconds, served, seconds, sum(w.errors for w in windows), [w.rps for w in windows])


def kata_run(wrk: str, port: int, path: str, window_s: float, connections: int, requests: int,
             max_windows: int) -> Throughput:
    """Windows of load on one kata page until `requests` are served (at most `max_windows`)."""
    windows: list[Throughput] = []
    while sum(w.requests for w in windows) < requests and len(windows) < max_windows:
        windows.append(run_wrk(wrk, port, path, window_s, connections))
    return _pooled(windows)


def endpoints(kata_slug: str) -> list[Endpoint]:
    return [
        Endpoint("listing", "/", LIST_RPS),
        Endpoint("filtered", "/?topic=einops&created=this_year", LIST_RPS),
        Endpoint("search", "/?q=tensor", LIST_RPS),
        Endpoint("page 30", "/?page=30", None),
        Endpoint("kata page", f"/katas/{kata_slug}", KATA_RPS),
    ]


def practice_run(console: Console, port: int, sandbox: str, submissions: int, submit_s: float,
                 paint_runs: int) -> tuple[SubmitBench, list[float]]:
    """Issue 11's figures: submitting against a judge of this process (the server's sandbox, as
    many zygotes as the server's grader), then the page's first paint with its editor ready."""
    from mlkatas.catalog import Catalog
    from mlkatas.devtools.bench_editor import editor_first_paint_ms
    from mlkatas.judge import Judge

    catalog = Catalog.load()
    source = catalog.get(PRACTICE_KATA).solution
    console.print(f"Practice on {PRACTICE_KATA}: {submissions} submissions at idle, then "
                  f"{bench_submit.LEARNERS} learners for {submit_s:g} s, over HTTP and against the judge ...")
    # the server's grader keeps its start-up heap out of the collector's scans (gc.freeze); so does
    # this process while its judge is measured, or collections over the generated data slow the
    # baseline and flatter the server
    gc.collect()
    gc.freeze()
    try:
        with Judge(sandbox=sandbox, catalog=catalog) as judge:
            judge.warm()
            submitted = bench_submit.bench_submit(port, judge, PRACTICE_KATA, source, submissions, submit_s)
    except SubmitFailed as exc:
        raise BenchError(f"a submission failed: {exc}") from None
    finally:
        gc.unfreeze()
    console.print(f"First paint with the editor ready, Chromium, {paint_runs} fresh visits ...")
    try:
        painted = editor_first_paint_ms(f"http://127.0.0.1:{port}", PRACTICE_KATA, paint_runs)
    except ImportError:
        raise BenchError("playwright is not installed: pip install -e '.[dev]'") from None
    except Exception as exc:  # no Chromium, or the page never had its editor
        raise BenchError(f"could not time the kata page in Chromium: {exc}") from None
    return submitted, painted


def bench_web(console: Console, katas: int = 1000, users: int = 50, workers: int = 2, seconds: float = 5.0,
              latency_requests: int = 200, kata_requests: int = KATA_REQUESTS, window_s: float = 3.0,
              connections: int = 64, wrk: str = "wrk", sandbox: str = "strict", submissions: int = 30,
              submit_s: float = 5.0, paint_runs: int = 10) -> BenchWeb:
    """Build the data, start the server, measure, stop it; BenchError when something cannot be measured."""
    wrk_path = shutil.which(wrk)
    if wrk_path is None:
        raise BenchError(f"wrk is not installed ({wrk!r} not found): run scripts/install-system-deps.sh as root, "
                         "or apt-get install wrk")
    from mlkatas.web.serve import prepare

    with tempfile.TemporaryDirectory(prefix="mlkatas-bench-web-") as tmp:
        db_path = Path(tmp) / "bench.db"
        console.print(f"Generating {katas} katas, {users} users and their actions in {db_path} ...")
        started = time.perf_counter()
        db = Database(prepare(str(db_path)))
        try:
            actions = generate(db, katas, users)
            with db.session() as s:  # a popular community kata: the page people land on
                slug = s.scalar(select(Kata.slug).where(Kata.author_id.is_not(None)).order_by(Kata.upvotes.desc()))
        finally:
            db.close()
        console.print(f"  {actions} actions, in {time.perf_counter() - started:.1f} s")
        result = BenchWeb(katas, users, actions, workers, connections)
        server = Server(db_path, workers, Path(tmp) / "server.log", sandbox, bench_submit.ENV_FOR_SERVER)
        try:
            server.wait_ready("/")
            points = endpoints(slug)
            console.print(f"Server up on port {server.port} ({workers} workers); single requests ...")
            for point in points:
                samples = latencies_ms(server.port, point.path, latency_requests)
                result.p50_ms[point.name] = round(median(samples), 2)
                result.p90_ms[point.name] = round(percentile(samples, 90), 2)
            console.print(f"Throughput: wrk, {connections} connections, {seconds:g} s per endpoint ...")
            for point in points[:-2]:
                result.throughput[point.name] = run_wrk(wrk_path, server.port, point.path, seconds, connections)
            # page 30 against page 1 side by side, in alternating windows: the same machine state for both
            result.throughput[PAGE1_BESIDE], result.throughput["page 30"] = paired_run(
                wrk_path, server.port, points[0].path, points[-2].path, seconds, connections)
            result.rss_mb["before"] = server.rss_mb()
            max_windows = max(1, round(120 / window_s))  # a slow site still ends within two minutes
            result.throughput["kata page"] = kata_run(wrk_path, server.port, points[-1].path, window_s,
                                                      connections, kata_requests, max_windows)
            result.rss_mb["after"] = server.rss_mb()
            result.practice, result.first_paint_ms = practice_run(console, server.port, sandbox, submissions,
                                                                  submit_s, paint_runs)
        finally:
            server.stop()
    return result


# --- the report ---------------------------------------------------------------------------------

def _met(ok: bool) -> str:
    return "[green]met[/green]" if ok else "[red]missed[/red]"


def report(result: BenchWeb, console: Console) -> None:
    t = result.throughput
    table = Table(title=f"bench-web: {result.katas} katas, {result.users} users, {result.actions} actions\n"
                        f"{result.workers} workers, wrk {result.connections} connections", title_justify="left")
    for column in ("measure", "figure", "target", ""):
        table.add_column(column, justify="right" if column == "figure" else "left")
    for name in ("listing", "filtered", "search"):
        table.add_row(f"{name} req/s", f"{t[name].rps:,.0f}", f"≥ {LIST_RPS:,}", _met(t[name].rps >= LIST_RPS))
    page1 = t[PAGE1_BESIDE]
    ratio = t["page 30"].rps / page1.rps if page1.rps else 0.0
    table.add_row("page 30 req/s (beside page 1)", f"{t['page 30'].rps:,.0f} ({page1.rps:,.0f})", "", "")
    table.add_row("page 30 / page 1", f"{ratio:.0%}", f"≥ {1 - PAGE30_WITHIN:.0%}", _met(ratio >= 1 - PAGE30_WITHIN))
    kata = t["kata page"]
    table.add_row(f"kata page req/s, {kata.requests:,} req", f"{kata.rps:,.0f}", f"≥ {KATA_RPS:,}",
                  _met(kata.rps >= KATA_RPS))
    first, last = kata.windows[0], kata.windows[-1]
    flat = last / first if first else 0.0
    table.add_row(f"kata page first → last of {len(kata.windows)}", f"{first:,.0f} → {last:,.0f} = {flat:.0%}",
                  f"≥ {1 - FLAT_WITHIN:.0%}, {KATA_REQUESTS:,} req",
                  _met(flat >= 1 - FLAT_WITHIN and kata.requests >= KATA_REQUESTS))
    table.add_row("server MB before → after", f"{result.rss_mb['before']:,.0f} → {result.rss_mb['after']:,.0f}", "", "")
    for name, p50 in result.p50_ms.items():
        table.add_row(f"p50 ms, {name}", f"{p50:.2f}", f"≤ {P50_MS:g}", _met(p50 <= P50_MS))
    if result.practice is not None:
        practice_rows(table, result.practice, result.first_paint_ms)
    console.print(table)
    errors = sum(x.errors for x in t.values())
    if errors:
        console.print(f"[yellow]wrk counted {errors} socket errors or timeouts[/yellow]")


def practice_rows(table: Table, practice: SubmitBench, first_paint_ms: list[float]) -> None:
    """Issue 11's rows: each HTTP figure beside the judge's own, their ratio against the target."""
    figures = practice.to_dict()
    table.add_row("submit → verdict p50 ms, HTTP / judge", f"{figures['submit_p50_ms']:,.1f} / "
                  f"{figures['judge_p50_ms']:,.1f} = {figures['latency_ratio']:.2f}×",
                  f"≤ {bench_submit.TARGET_LATENCY_RATIO:g}×",
                  _met(practice.latency_ratio <= bench_submit.TARGET_LATENCY_RATIO))
    table.add_row(f"submissions/s, {bench_submit.LEARNERS} learners / judge busy",
                  f"{figures['submissions_per_s']:,.1f} / {figures['judge_per_s']:,.1f} = "
                  f"{practice.throughput_ratio:.0%}", f"≥ {bench_submit.TARGET_THROUGHPUT_RATIO:.0%}",
                  _met(practice.throughput_ratio >= bench_submit.TARGET_THROUGHPUT_RATIO))
    paint = median(first_paint_ms)
    table.add_row(f"first paint + editor ms, p50 of {len(first_paint_ms)}", f"{paint:,.0f}",
                  f"≤ {FIRST_PAINT_MS:g}", _met(paint <= FIRST_PAINT_MS))


def _stopped(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def run_and_report(console: Console, as_json: bool = False, **options) -> int:
    """The command: 0 when everything was measured (targets met or not), 1 when it could not be."""
    signal.signal(signal.SIGTERM, _stopped)  # a benchmark told to stop still stops its server (finally)
    try:
        result = bench_web(console, **options)
    except BenchError as exc:
        console.print("[red]bench-web could not measure:[/red] " + escape(str(exc)), highlight=False)
        return 1
    report(result, console)
    if as_json:
        print(json.dumps(result.to_dict(), indent=2))
    return 0
