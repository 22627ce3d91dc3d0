"""The Judge: grades a learner's source against a kata, with the learner's code in a child.

The parent (this object) builds the cases and the expected outputs, sends the child only the
inputs, and compares what comes back. See DESIGN.md, "The trust boundary".
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

from mlkatas.catalog import Catalog
from mlkatas.catalog.kata import Kata, Limits
from mlkatas.engine.compare import Mismatch
from mlkatas.engine.grading import (
    CaseOutcome,
    LoadOutcome,
    RunReport,
    compare_case,
    grade_report,
    source_problem_verdict,
)
from mlkatas.engine.suite import Suite
from mlkatas.engine.tolerance import Tolerance
from mlkatas.engine.verdict import Verdict
from mlkatas.engine.vocabulary import Kind
from mlkatas.judge.protocol import messages as protocol
from mlkatas.judge.protocol import wire
from mlkatas.judge.protocol.shared_inputs import SharedInputs
from mlkatas.judge.sandbox.modes import SandboxPlan, plan_for
from mlkatas.judge.source import SourceProblem, check_source
from mlkatas.judge.worker.pool import ZygotePool
from mlkatas.judge.worker.zygote import ChildRun, RunBudget, ZygoteDied

log = logging.getLogger("mlkatas.judge")
# The judge's own work on a verdict after the run (comparing, searching for an explanation of a
# wrong answer): its budget. Past it the verdict goes out with what was found by then.
PARENT_WORK_S = 1.0
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
        recycle_after: int = 1000,
    ):
        """`workers`: zygotes at most (default: one per core; one starts now, the others when
        grading threads find them all busy). `allow_weaker`: run strict mode without the layers
        this machine lacks, saying so in the log and in every verdict's summary, instead of
        raising SandboxUnavailable. `recycle_after`: jobs a zygote runs before it is replaced
        by a fresh one (a new zygote costs ~2 s of CPU: `mlkatas dev bench-judge`)."""
        self.sandbox_plan = plan_for(sandbox, allow_weaker)
        self.sandbox = sandbox
        self.catalog = catalog if catalog is not None else Catalog.load()
        self.workers = workers or os.cpu_count() or 1
        self.recycle_after = recycle_after
        self._pool: ZygotePool | None = None
        self._pool_lock = threading.Lock()
        self._background: threading.Thread | None = None  # a start(wait=False) not yet done
        self._suites: dict[str, Suite] = {}
        self._encoded: dict[str, JobInputs] = {}
        self._suite_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> "Judge":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def start(self, wait: bool = True) -> None:
        """Start the first zygote (a Python with torch imported: about a second). `wait=False`
        starts it in a background thread and returns at once, so that a one-off grade builds the
        kata's cases meanwhile (`mlkatas check`); `grade` then waits for it, and raises what
        stopped it from starting."""
        if not wait:
            self._background = threading.Thread(target=self._start_in_background, name="mlkatas-judge-start",
                                                daemon=True)
            self._background.start()
            return
        with self._pool_lock:
            if self._pool is None:
                self._pool = self._new_pool()

    def _start_in_background(self) -> None:
        with self._pool_lock:
            if self._pool is not None or self._background is not threading.current_thread():
                return  # started already, or closed before this thread got the lock
            try:
                self._pool = self._new_pool()
            except BaseException:  # noqa: BLE001 - grade's start() tries again and raises it
                pass

    def _new_pool(self) -> ZygotePool:
        return ZygotePool(self.workers, self.sandbox, zygote_plan(self.sandbox_plan, self.catalog),
                          recycle_after=self.recycle_after)

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

    def worker_pids(self) -> list[int]:
        """The zygote processes serving this judge now (pids in the judge's PID namespace), for
        monitoring and tests; empty before start and after close."""
        pool = self._pool
        return [z.proc.pid for z in pool.zygotes()] if pool is not None else []

    def close(self) -> None:
        with self._pool_lock:
            self._background = None  # a background start still waiting for the lock gives up
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

    def visible_suite(self, slug: str) -> Suite:
        """The kata's visible cases alone, without the rule probes (they count hidden sizes)."""
        key = suite_key(slug, True)
        full = self.suite(slug)
        with self._suite_lock:
            if key not in self._suites:
                shown = [i for i, case in enumerate(full.cases) if not case.hidden]
                self._suites[key] = Suite(full.kata, [full.cases[i] for i in shown], [full.expected[i] for i in shown],
                                          [], full.mistakes, full.arg_names, full.outputs)
            return self._suites[key]

    def _inputs(self, slug: str, suite: Suite) -> "JobInputs":
        """Encoded once per kata: every grade sends the same inputs."""
        with self._suite_lock:
            if slug not in self._encoded:
                self._encoded[slug] = encode_inputs(suite)
            return self._encoded[slug]

    def grade(
        self,
        slug: str,
        source: str | bytes,
        *,
        limits: dict | None = None,
        filename: str | None = None,
        seed: int | None = None,
        visible_only: bool = False,
    ) -> Verdict:
        """Grade `source` (the learner's whole file). `limits` overrides the kata's (wall_s,
        cpu_s, memory_mb, output_mb, log_kb); `seed` grades one analogous case of a hidden one,
        with visible values, instead of the whole suite; `visible_only` grades the visible
        example(s) alone (the web page's "Run"). Always a Verdict: what a child sends cannot make
        this raise."""
        started = time.perf_counter()
        verdict = self._grade(slug, source, limits, filename, seed, visible_only)
        if self.sandbox_plan.weaker:  # never silently: every verdict says what was missing
            verdict.summary += f" [{self.sandbox_plan.note()}]"
        verdict.elapsed_ms = _ms(started)  # the judge's own work after the run included
        return verdict

    def _grade(
        self, slug: str, source: str | bytes, limits: dict | None, filename: str | None, seed: int | None,
        visible_only: bool = False,
    ) -> Verdict:
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
        elif visible_only:
            suite = self.visible_suite(slug)
        inputs = encode_inputs(suite) if seed is not None else self._inputs(suite_key(slug, visible_only), suite)
        self.start()
        assert self._pool is not None
        zygote = self._pool.acquire()
        broken = False
        try:
            with SharedInputs(inputs.arena) as shared:
                reader = RunReader(suite, run_limits, inputs, shared)
                job = build_job(kata, inputs, text, filename or f"{kata.entry}.py", run_limits)
                budget = RunBudget.for_job(run_limits.output_mb * 2**20, run_limits.log_kb * 1024, len(suite.cases))
                run = zygote.run([(job, [], [shared.fd])], job_limits(run_limits), budget, reader.feed)
                report = reader.finish(run)
        except ZygoteDied as exc:
            broken = True
            report = RunReport(stopped=Mismatch(
                "error", f"the judge had to recover from a failure of its worker ({exc}); grade again"
            ))
        finally:
            self._pool.release(zygote, broken)
        try:
            return grade_report(suite, report, 0.0, budget_s=PARENT_WORK_S)
        except Exception:  # a value that passed the protocol yet breaks a comparison: a verdict, and a log line
            log.exception("mlkatas judge: grading a submission for %s failed", slug)
            return source_problem_verdict(slug, "error", "the judge could not grade what your code returned "
                                                         "(an internal error, logged for the maintainers)")


def suite_key(slug: str, visible_only: bool) -> str:
    return f"{slug}#visible" if visible_only else slug


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def zygote_plan(plan: SandboxPlan, catalog: Catalog) -> str | None:
    """What a strict zygote applies, and the folders its children must not see: every pack
    folder (reference solutions, case generators)."""
    if plan.mode != "strict":
        return None
    from mlkatas.catalog import BUILTIN_PACKS, PACKS_ENV
    from mlkatas.judge.worker.init import Plan

    hidden = {str(BUILTIN_PACKS)} | {str(kata.path.parent) for kata in catalog}
    hidden |= {os.path.abspath(p) for p in os.environ.get(PACKS_ENV, "").split(os.pathsep) if p}
    return Plan(layers=list(plan.layers), hidden=sorted(hidden)).to_json()


def job_limits(limits: Limits) -> dict:
    return {"wall_s": limits.wall_s, "cpu_s": limits.cpu_s, "memory_mb": limits.memory_mb}


@dataclass(frozen=True)
class JobInputs:
    """What a child may see of a suite, encoded: the cases' and probes' descriptions (JSON,
    spliced into every job as they are) and one arena with every tensor; plus what stays with the
    judge: where each case's arguments lie in the arena."""

    cases: wire.RawJSON
    probes: wire.RawJSON
    arena: bytes
    spans: list[list[tuple[int, int]]]  # per case, per argument: [start, end) in the arena


def encode_inputs(suite: Suite) -> JobInputs:
    arena = wire.Arena()
    cases = [wire.encode_case(c.args, c.init, c.params, arena) for c in suite.cases]
    probes = [wire.encode_case(c.args, c.init, c.params, arena) for c in suite.probes]
    spans = [[(start, end) for start, end in case.pop("spans")] for case in cases]
    for probe in probes:
        del probe["spans"]
    return JobInputs(wire.RawJSON(cases), wire.RawJSON(probes), arena.tobytes(), spans)


def build_job(kata: Kata, inputs: JobInputs, source: str, filename: str, limits: Limits) -> dict:
    """The child's job: the source and the inputs; never an expected output. The arena itself
    goes along as a descriptor (SharedInputs)."""
    job = {
        "source": source,
        "filename": filename,
        "entry": kata.entry,
        "kind": kata.kind,
        "cases": inputs.cases,
        "probes": inputs.probes,
        "output_bytes": limits.output_mb * 2**20,
        "log_bytes": limits.log_kb * 1024,
    }
    return {"job": job}


READ_FAILED = "the submission sent data the judge could not read"


class RunReader:
    """A child's messages, read as they arrive: each case's output is decoded and compared while
    the child runs the next cases (the grading thread would otherwise wait, idle, for the end).
    Everything is checked against the job before it is kept: a case index the job has, once; a
    probe count per probe; so what a run can make the judge hold is bounded by the job. Whether
    an input was written is read from the shared inputs, not taken from the child."""

    def __init__(self, suite: Suite, limits: Limits, inputs: JobInputs, shared: SharedInputs):
        self.suite = suite
        self.limits = limits
        self.spans = inputs.spans
        self.shared = shared
        self.tol = Tolerance.for_kata(suite.kata)
        self.report = RunReport()
        self.in_flight = 0  # the case after the last one that reported

    def feed(self, message: protocol.RunMessage, blobs: list[bytes]) -> None:
        report = self.report
        if isinstance(message, protocol.Load):
            if report.load is not None:
                raise protocol.ProtocolError("a second load message")
            report.load = LoadOutcome(message.ok, message.kind,
                                      with_memory_limit(message.kind, message.message, self.limits), message.missing)
        elif isinstance(message, protocol.Cases):
            if report.load is None or not report.load.ok:
                raise protocol.ProtocolError("case results before the file loaded")
            for item in message.items:
                self._take_case(item, blobs)
        elif isinstance(message, protocol.Probes):
            if report.probe_counts is not None or len(message.counts) != len(self.suite.probes):
                raise protocol.ProtocolError(
                    f"{len(message.counts)} rule probe counts for {len(self.suite.probes)} probes"
                )
            report.probe_counts = list(message.counts)
        elif isinstance(message, protocol.Done):
            report.log = cut_log(message.log, self.limits.log_kb * 1024)

    def finish(self, run: ChildRun) -> RunReport:
        report = self.report
        if run.violation is not None:
            report.stopped = Mismatch("error", f"{READ_FAILED} ({run.violation}); the judge stopped reading it")
            report.violation = True
            return report
        if not run.finished:
            report.stopped = why_stopped(run, self.limits)
            report.stopped_at = self.in_flight
        # the inputs as they are now, the child gone: a write undone by a later case still counts
        now = self.shared.snapshot()
        for index, outcome in report.outcomes.items():
            if outcome.ok:
                written = [j for j, (a, b) in enumerate(self.spans[index]) if now[a:b] != self.shared.pristine[a:b]]
                if written:
                    outcome.mutated = sorted(set(outcome.mutated) | set(written))
        return report

    def _take_case(self, item: protocol.CaseReport, blobs: list[bytes]) -> None:
        report, index = self.report, item.i
        if index >= len(self.suite.cases) or index in report.outcomes:
            raise protocol.ProtocolError(f"a result for case {index}, which the job has not asked for (again)")
        if not item.ok:
            kind = item.kind or Kind.ERROR
            outcome = CaseOutcome(False, kind=kind, message=with_memory_limit(kind, item.message, self.limits))
        else:
            spans = self.spans[index]
            if item.output is None or any(j >= len(spans) for j in item.mutated):
                raise protocol.ProtocolError(
                    f"case {index}'s result has no output or names an argument it does not have"
                )
            try:
                value = wire.value_from_message(item.output, blobs)
            except wire.WireError as exc:
                raise protocol.ProtocolError(str(exc)) from None
            written = [j for j, (a, b) in enumerate(spans) if self.shared.changed(a, b)]
            outcome = CaseOutcome(True, value, sorted(set(item.mutated) | set(written)))
            try:
                report.compared[index] = compare_case(self.suite, index, value, self.tol)
            except Exception:  # noqa: BLE001 - compared again after the run, where the error shows
                pass
        report.outcomes[index] = outcome
        self.in_flight = max(self.in_flight, index + 1)


def cut_log(text: str, limit: int) -> str:
    """The child cuts its output to the log limit; the parent does not take its word for it."""
    if len(text) <= limit + 200:  # the child's own note about what it cut
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters of output cut]"


def with_memory_limit(kind: str | None, message: str, limits: Limits) -> str:
    """A MemoryError does not say which limit it hit: add it."""
    if kind == Kind.MEMORY and "limit" not in message:
        return f"{message}\n  (out of memory: the memory limit is {limits.memory_mb} MB)".lstrip()
    return message


def why_stopped(run: ChildRun, limits: Limits) -> Mismatch:
    code = run.exit_code
    if run.wire_error:
        return Mismatch(
            "memory" if "larger than" in run.wire_error else "error",
            f"the judge refused your code's output: {run.wire_error}",
        )
    if run.timed_out:
        return Mismatch("timeout", f"timed out: your code ran past the wall-clock limit of {limits.wall_s:g} s")
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and run.cpu_s >= limits.cpu_s):
        return Mismatch("timeout", f"timed out: your code used more than the CPU time limit of {limits.cpu_s:g} s")
    if code == -signal.SIGKILL:
        return Mismatch(
            "memory", f"your code was killed, most likely for using more than {limits.memory_mb} MB of memory"
        )
    if code == -signal.SIGSYS:  # the one system call the filter kills for: it comes through another ABI
        return Mismatch("error", "the sandbox stopped your code for a forbidden system call: one made through another "
                                 "architecture's interface (such as the 32-bit `int 0x80` entry on x86-64), "
                                 "which it never allows")
    if code is not None and code < 0:
        name = SIGNAL_NAMES.get(-code, f"signal {-code}")
        return Mismatch("error", f"your code crashed the process ({name})")
    return Mismatch("error", f"your code ended the process early (exit status {code}) before the tests finished")


__all__ = ["Judge", "Verdict"]
