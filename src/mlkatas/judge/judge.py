"""The Judge: grades a learner's source against a kata, with the learner's code in a child.

The parent (this object) builds the cases and the expected outputs, sends the child only the
inputs, and compares what comes back. See DESIGN.md, "The trust boundary".
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from mlkatas.catalog import Catalog
from mlkatas.engine.compare import Mismatch, Tolerance
from mlkatas.engine.grading import RunReport, compare_case, grade_report, source_problem_verdict
from mlkatas.engine.suite import Suite
from mlkatas.engine.verdict import Verdict
from mlkatas.judge import wire
from mlkatas.judge.pool import ChildRun, ZygoteDied, ZygotePool
from mlkatas.judge.sandbox import SandboxPlan, check_mode
from mlkatas.judge.source import SourceProblem, check_source
from mlkatas.kata import Kata, Limits

SIGNAL_NAMES = {getattr(signal, n): n for n in dir(signal) if n.startswith("SIG") and not n.startswith("SIG_")}


class Judge:
    """`with Judge(sandbox="local") as judge: verdict = judge.grade("split-heads", source)`."""

    def __init__(
        self,
        sandbox: str = "local",
        *,
        catalog: Catalog | None = None,
        workers: int | None = None,
        allow_weaker: bool = False,
    ):
        """`workers`: zygotes at most (default: one per core; one starts now, the others when
        grading threads find them all busy). `allow_weaker`: run strict mode without the layers
        this machine lacks, saying so in the log and in every verdict's summary, instead of
        raising SandboxUnavailable."""
        self.sandbox_plan = check_mode(sandbox, allow_weaker)
        self.sandbox = sandbox
        self.catalog = catalog if catalog is not None else Catalog.load()
        self.workers = workers or os.cpu_count() or 1
        self._pool: ZygotePool | None = None
        self._pool_lock = threading.Lock()
        self._suites: dict[str, Suite] = {}
        self._encoded: dict[str, tuple] = {}
        self._suite_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> "Judge":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def start(self) -> None:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ZygotePool(self.workers, self.sandbox, zygote_plan(self.sandbox_plan, self.catalog))

    def warm(self) -> None:
        """Start every zygote now (a server's start-up), instead of when first needed."""
        self.start()
        assert self._pool is not None
        self._pool.fill()

    def ready(self, timeout: float = 30.0) -> bool:
        """Wait until every zygote handed back after a grade has its next child sandboxed and
        handed over (done in the background after each grade); False on timeout."""
        pool = self._pool
        return pool.wait_prepared(timeout) if pool is not None else True

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    # -- grading --------------------------------------------------------------------------
    def suite(self, slug: str) -> Suite:
        """The kata's cases and expected outputs, built once per judge (they are seeded)."""
        kata = self.catalog.get(slug)
        with self._suite_lock:
            if slug not in self._suites:
                self._suites[slug] = Suite.build(kata)
            return self._suites[slug]

    def _inputs(self, slug: str, suite: Suite) -> tuple:
        """Encoded once per kata: every grade sends the same inputs."""
        with self._suite_lock:
            if slug not in self._encoded:
                cases, probes, blobs = encode_inputs(suite)
                self._encoded[slug] = (wire.RawJSON(cases), wire.RawJSON(probes), blobs)
            return self._encoded[slug]

    def grade(
        self,
        slug: str,
        source: str | bytes,
        *,
        limits: dict | None = None,
        filename: str | None = None,
        seed: int | None = None,
    ) -> Verdict:
        """Grade `source` (the learner's whole file). `limits` overrides the kata's (wall_s,
        cpu_s, memory_mb, output_mb, log_kb); `seed` grades one analogous case of a hidden one,
        with visible values, instead of the whole suite."""
        started = time.perf_counter()
        kata = self.catalog.get(slug)
        try:
            text = check_source(source)
        except SourceProblem as exc:
            return source_problem_verdict(slug, "error", str(exc))
        run_limits = kata.limits.replace(**(limits or {}))
        suite = self.suite(slug)
        if seed is not None:
            case, expected = suite.analogous(seed)
            suite = Suite(kata, [case], [expected], [], suite.mistakes, suite.arg_names, suite.outputs)
        inputs = encode_inputs(suite) if seed is not None else self._inputs(slug, suite)
        header, blobs = build_job(kata, inputs, text, filename or f"{kata.entry}.py", run_limits)
        self.start()
        assert self._pool is not None
        zygote = self._pool.acquire()
        broken = False
        reader = RunReader(suite, run_limits)
        try:
            run = zygote.run(header, blobs, job_limits(run_limits), max_bytes=run_limits.output_mb * 2**20 + (8 << 20),
                             on_frame=reader.feed)
        except ZygoteDied as exc:
            broken = True
            report = RunReport(stopped=Mismatch("error", f"the judge had to recover from a failure of its worker ({exc}); grade again"))
            return self._marked(grade_report(suite, report, _ms(started)))
        finally:
            self._pool.release(zygote, broken)
        return self._marked(grade_report(suite, reader.finish(run), _ms(started)))

    def _marked(self, verdict: Verdict) -> Verdict:
        if self.sandbox_plan.weaker:  # never silently: every verdict says what was missing
            verdict.summary += f" [{self.sandbox_plan.note()}]"
        return verdict


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def zygote_plan(plan: SandboxPlan, catalog: Catalog) -> str | None:
    """What a strict zygote applies, and the folders its children must not see: every pack
    folder (reference solutions, case generators)."""
    if plan.mode != "strict":
        return None
    from mlkatas.catalog import BUILTIN_PACKS, PACKS_ENV
    from mlkatas.judge.strict import Plan

    hidden = {str(BUILTIN_PACKS)} | {str(kata.path.parent) for kata in catalog}
    hidden |= {os.path.abspath(p) for p in os.environ.get(PACKS_ENV, "").split(os.pathsep) if p}
    return Plan(layers=list(plan.layers), hidden=sorted(hidden)).to_json()


def job_limits(limits: Limits) -> dict:
    return {"wall_s": limits.wall_s, "cpu_s": limits.cpu_s, "memory_mb": limits.memory_mb}


def encode_inputs(suite: Suite) -> tuple[list, list, list[bytes]]:
    """The cases' and probes' inputs as wire data (what a child may see of a suite): headers,
    and one arena blob with every tensor."""
    arena = wire.Arena()
    cases = [wire.encode_case(c.args, c.init, c.params, arena) for c in suite.cases]
    probes = [wire.encode_case(c.args, c.init, c.params, arena) for c in suite.probes]
    return cases, probes, [arena.tobytes()]


def build_job(kata: Kata, inputs: tuple, source: str, filename: str, limits: Limits) -> tuple[dict, list[bytes]]:
    """The child's job: the source and the inputs; never an expected output."""
    cases, probes, blobs = inputs
    job = {
        "source": source,
        "filename": filename,
        "entry": kata.entry,
        "kind": kata.kind,
        "cases": cases,
        "probes": probes,
        "output_bytes": limits.output_mb * 2**20,
        "log_bytes": limits.log_kb * 1024,
    }
    return {"job": job}, blobs


class RunReader:
    """A child's messages, read as they arrive: each case's output is decoded and compared while
    the child runs the next cases (the grading thread would otherwise wait, idle, for the end)."""

    def __init__(self, suite: Suite, limits: Limits):
        self.suite = suite
        self.limits = limits
        self.tol = Tolerance(suite.kata.exact, suite.kata.tolerances)
        self.report = RunReport()
        self.in_flight = 0  # the case after the last one that reported

    def feed(self, header: dict, blobs: list[bytes]) -> None:
        report, limits = self.report, self.limits
        event = header.get("event")
        if event == "load":
            report.load = name_memory_limit(dict(header), limits)
        elif event == "cases":
            items = header.get("items")
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and self._take_case(item, blobs):
                    self.in_flight = max(self.in_flight, item["i"] + 1)
        elif event == "probes":
            report.probe_counts = header.get("counts")
        elif event == "done":
            report.log = cut_log(str(header.get("log", "")), limits.log_kb * 1024)

    def finish(self, run: ChildRun) -> RunReport:
        if not run.finished:
            self.report.stopped = why_stopped(run, self.limits)
            self.report.stopped_at = self.in_flight
        return self.report

    def _take_case(self, item: dict, blobs: list[bytes]) -> bool:
        """Record one case's result; False for one this judge did not ask for or already has."""
        report = self.report
        index = item.get("i")
        if not isinstance(index, int) or isinstance(index, bool) or index < 0 or index in report.outcomes:
            return False
        outcome = name_memory_limit(dict(item), self.limits)
        if item.get("ok"):
            try:
                outcome["value"] = wire.decode(item["output"], blobs)
            except (wire.WireError, KeyError, ValueError, TypeError, RuntimeError, IndexError, RecursionError) as exc:
                outcome = {"ok": False, "kind": "type", "message": f"the returned value could not be read: {exc}"}
        report.outcomes[index] = outcome
        if outcome.get("ok") and index < len(self.suite.cases):
            try:
                report.compared[index] = compare_case(self.suite, index, outcome["value"], self.tol)
            except Exception:  # noqa: BLE001 - compared again after the run, where the error shows
                pass
        return True


def cut_log(text: str, limit: int) -> str:
    """The child cuts its output to the log limit; the parent does not take its word for it."""
    if len(text) <= limit + 200:  # the child's own note about what it cut
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters of output cut]"


def name_memory_limit(event: dict, limits: Limits) -> dict:
    """A MemoryError does not say which limit it hit: add it."""
    if event.get("kind") == "memory" and "limit" not in str(event.get("message", "")):
        event["message"] = f"{event.get('message', '')}\n  (out of memory: the memory limit is {limits.memory_mb} MB)".lstrip()
    return event


def why_stopped(run: ChildRun, limits: Limits) -> Mismatch:
    code = run.exit_code
    if run.wire_error:
        return Mismatch("memory" if "larger than" in run.wire_error else "error", f"the judge refused your code's output: {run.wire_error}")
    if run.timed_out:
        return Mismatch("timeout", f"timed out: your code ran past the wall-clock limit of {limits.wall_s:g} s")
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and run.cpu_s >= limits.cpu_s):
        return Mismatch("timeout", f"timed out: your code used more than the CPU time limit of {limits.cpu_s:g} s")
    if code == -signal.SIGKILL:
        return Mismatch("memory", f"your code was killed, most likely for using more than {limits.memory_mb} MB of memory")
    if code is not None and code < 0:
        name = SIGNAL_NAMES.get(-code, f"signal {-code}")
        return Mismatch("error", f"your code crashed the process ({name})")
    return Mismatch("error", f"your code ended the process early (exit status {code}) before the tests finished")


__all__ = ["Judge", "Verdict"]
