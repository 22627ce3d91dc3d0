"""`mlkatas dev bench-judge`: what a verdict costs with the strict judge warm, against a cold start.

In one run: the cold baseline (a fresh interpreter that imports torch and einops, what a judge
without a zygote pays per submission), the judge's start-up, and for one kata graded over and over:

- warm verdict latency (p50, p99): a submission arriving at a warm judge that is idle: its next
  child forked, sandboxed and handed over (done in the background after every grade; the bench
  waits for it with `Judge.ready()`), and no other submission in the last IDLE_S seconds, so the
  spare child's set-up and the last child's teardown are over too;
- back to back: the next submission sent the moment the last verdict came, from one thread; here
  each verdict also waits for the background work of the one before (forking and sandboxing the
  next child, tearing down the last), so this measures throughput, bounded by the machine's CPU
  time per verdict, which is printed too;
- verdicts per second with every zygote of the pool busy (one grading thread per zygote).

The kata defaults to the easy one that sends the least data to the child, so the figures show the
judge's own cost; `--kata` picks another.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from rich.console import Console

from mlkatas.catalog import Catalog
from mlkatas.devtools.stats import median, percentile

TARGET_SPEEDUP = 100
IDLE_S = 0.05  # "idle": no submission for this long before the next one arrives


@dataclass
class BenchResult:
    kata: str
    sandbox: str
    job_kib: float
    cases: int
    cold_ms: list[float] = field(default_factory=list)
    start_ms: float = 0.0
    warm_ms: list[float] = field(default_factory=list)
    back_to_back_ms: list[float] = field(default_factory=list)
    cpu_ms_per_verdict: float | None = None
    sequential_per_s: float = 0.0
    pool_size: int = 0
    pool_per_s: float = 0.0
    statuses: set[str] = field(default_factory=set)
    layers: list[str] = field(default_factory=list)
    in_process_ms: float = 0.0

    @property
    def cold_p50(self) -> float:
        return median(self.cold_ms)

    @property
    def warm_p50(self) -> float:
        return median(self.warm_ms)

    @property
    def warm_p99(self) -> float:
        return percentile(self.warm_ms, 99)

    @property
    def back_to_back_p50(self) -> float:
        return median(self.back_to_back_ms)

    @property
    def valid(self) -> bool:
        """Every verdict of the reference solution a pass: otherwise the figures time an error."""
        return self.statuses == {"passed"}

    @property
    def speedup(self) -> float:
        return self.cold_p50 / self.warm_p50

    def to_dict(self) -> dict:
        return {
            "kata": self.kata, "sandbox": self.sandbox, "layers": self.layers, "job_kib": round(self.job_kib, 1),
            "cases": self.cases, "cold_p50_ms": round(self.cold_p50, 1), "start_ms": round(self.start_ms, 1),
            "warm_p50_ms": round(self.warm_p50, 2), "warm_p99_ms": round(self.warm_p99, 2),
            "back_to_back_p50_ms": round(self.back_to_back_p50, 2),
            "back_to_back_p99_ms": round(percentile(self.back_to_back_ms, 99), 2),
            "cpu_ms_per_verdict": None if self.cpu_ms_per_verdict is None else round(self.cpu_ms_per_verdict, 1),
            "sequential_per_s": round(self.sequential_per_s, 1), "pool_size": self.pool_size,
            "pool_per_s": round(self.pool_per_s, 1), "speedup": round(self.speedup, 1),
            "in_process_ms": round(self.in_process_ms, 2),
            "statuses": sorted(self.statuses), "valid": self.valid,
        }


def busy_cpu_s() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (all processes, all cores), from
    /proc/stat; None where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cold_start_ms(runs: int) -> list[float]:
    """A fresh interpreter importing torch and einops: the floor of grading without a zygote."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch, einops"], check=True, stdin=subprocess.DEVNULL)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def in_process_ms(suite, kind: str, runs: int = 5) -> float:
    """Calling the reference on every case in this process: the work itself, without a child,
    a transfer or a comparison."""
    from mlkatas.engine.suite import call_entry

    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        for case in suite.cases:
            call_entry(suite.reference, kind, case)
        samples.append((time.perf_counter() - started) * 1000)
    return median(samples)


def lightest_kata(judge, catalog: Catalog) -> str:
    """The easy kata whose job (case inputs) is smallest."""
    from mlkatas.judge.judge import encode_inputs

    best = None
    for kata in catalog:
        if kata.difficulty != "easy":
            continue
        try:
            size = len(encode_inputs(judge.suite(kata.slug)).arena)
        except Exception:  # noqa: BLE001 - a kata that does not build is not a benchmark
            continue
        if best is None or size < best[0]:
            best = (size, kata.slug)
    if best is None:
        raise ValueError("no easy kata builds; name one with --kata")
    return best[1]


def bench_judge(
    catalog: Catalog,
    out: Console,
    kata: str | None = None,
    sandbox: str = "strict",
    count: int = 200,
    cold_runs: int = 3,
    workers: int | None = None,
    allow_weaker: bool = False,
) -> BenchResult:
    from mlkatas.judge import Judge
    from mlkatas.judge.judge import encode_inputs

    out.print(f"cold baseline: a fresh interpreter importing torch and einops, {cold_runs} runs ...")
    cold = cold_start_ms(cold_runs)
    judge = Judge(sandbox=sandbox, catalog=catalog, workers=workers, allow_weaker=allow_weaker)
    try:
        slug = kata or lightest_kata(judge, catalog)
        suite = judge.suite(slug)
        result = BenchResult(slug, sandbox, len(encode_inputs(suite).arena) / 1024, len(suite.cases), cold)
        started = time.perf_counter()
        judge.start()
        result.start_ms = (time.perf_counter() - started) * 1000
        result.layers = list(judge.sandbox_plan.layers)
        source = catalog.get(slug).solution
        result.in_process_ms = in_process_ms(suite, catalog.get(slug).kind)
        for _ in range(5):  # first grades pay one-off costs (suite encoding, first fork)
            judge.grade(slug, source)
        out.print(
            f"warm verdicts: {count} gradings of {slug}, each arriving at a judge idle for {IDLE_S * 1000:.0f} ms ..."
        )
        for _ in range(count):
            judge.ready()
            time.sleep(IDLE_S)
            t0 = time.perf_counter()
            verdict = judge.grade(slug, source)
            result.warm_ms.append((time.perf_counter() - t0) * 1000)
            result.statuses.add(verdict.status)
        out.print(f"back to back: {count} gradings from one thread, each sent when the last verdict came ...")
        judge.ready()
        busy_before = busy_cpu_s()
        loop_started = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            verdict = judge.grade(slug, source)
            result.back_to_back_ms.append((time.perf_counter() - t0) * 1000)
            result.statuses.add(verdict.status)
        result.sequential_per_s = count / (time.perf_counter() - loop_started)
        busy_after = busy_cpu_s()
        if busy_before is not None and busy_after is not None:
            result.cpu_ms_per_verdict = (busy_after - busy_before) * 1000 / count

        judge.warm()
        result.pool_size = judge.workers
        out.print(f"pool busy: {result.pool_size} threads grading at once ...")
        lock = threading.Lock()

        def worker(n: int) -> None:
            for _ in range(n):
                status = judge.grade(slug, source).status
                with lock:
                    result.statuses.add(status)

        def all_busy(n: int) -> float:
            threads = [threading.Thread(target=worker, args=(n,)) for _ in range(result.pool_size)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return time.perf_counter() - t0

        all_busy(2)  # every zygote forks its first children
        per_thread = max(5, count // result.pool_size)
        elapsed = all_busy(per_thread)
        result.pool_per_s = per_thread * result.pool_size / elapsed
    finally:
        judge.close()
    report(result, out)
    return result


def report(r: BenchResult, out: Console) -> None:
    lines = [
        "",
        f"judge benchmark: sandbox={r.sandbox}, kata={r.kata} ({r.cases} cases, {r.job_kib:.1f} KiB of inputs per job)",
    ]
    if r.sandbox == "strict":
        lines.append(f"  layers: {', '.join(r.layers)}")
    lines += [
        f"  cold baseline, fresh python importing torch+einops  p50 {r.cold_p50:8.1f} ms  "
        f"(runs: {', '.join(f'{x:.0f}' for x in r.cold_ms)})",
        f"  judge start-up (first warm zygote)                      {r.start_ms:8.1f} ms",
        f"  the cases run in-process (reference, no judge)          {r.in_process_ms:8.1f} ms",
        f"  warm verdict, arriving at an idle judge             p50 {r.warm_p50:8.1f} ms  p99 {r.warm_p99:.1f} ms"
        f"  (idle: next child handed over, no submission for {IDLE_S * 1000:.0f} ms)",
        f"  back to back from one thread                        p50 {r.back_to_back_p50:8.1f} ms  "
        f"p99 {percentile(r.back_to_back_ms, 99):.1f} ms",
        f"  sequential verdicts per second (back to back)           {r.sequential_per_s:8.1f}",
        f"  verdicts per second, pool of {r.pool_size} busy                  {r.pool_per_s:8.1f}",
    ]
    if r.cpu_ms_per_verdict is not None:
        lines.append(f"  machine CPU time per verdict, back to back (all processes)  {r.cpu_ms_per_verdict:8.1f} ms")
    for line in lines:
        out.print(line, soft_wrap=True, highlight=False, markup=False)
    if not r.valid:
        out.print(f"  [red]invalid run: the reference solution got {', '.join(sorted(r.statuses))}; these figures time "
                  "a failure, not a verdict[/red]", soft_wrap=True)
        return
    met = r.speedup >= TARGET_SPEEDUP
    mark = "[green]met[/green]" if met else "[red]not met[/red]"
    out.print(f"  warm p50 is {r.speedup:.0f}x faster than the cold baseline (target {TARGET_SPEEDUP}x: {mark}); "
              f"back to back, {r.cold_p50 / r.back_to_back_p50:.0f}x", soft_wrap=True)
    out.print(f"  verdicts: {', '.join(sorted(r.statuses))}", soft_wrap=True, highlight=False)
