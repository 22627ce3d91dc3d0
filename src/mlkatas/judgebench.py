"""`mlkatas dev bench-judge`: what a verdict costs with the strict judge warm, against a cold start.

In one run: the cold baseline (a fresh interpreter that imports torch and einops, what a judge
without a zygote pays per submission), the judge's start-up, warm verdict latency (p50, p99) for
one kata graded over and over from one thread, sequential verdicts per second, and verdicts per
second with every zygote of the pool busy (one grading thread per zygote). The kata defaults to
the easy one that sends the least data to the child, so the figures show the judge's own cost;
`--kata` picks another.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from rich.console import Console

from mlkatas.catalog import Catalog

TARGET_SPEEDUP = 100


@dataclass
class BenchResult:
    kata: str
    sandbox: str
    job_kib: float
    cases: int
    cold_ms: list[float] = field(default_factory=list)
    start_ms: float = 0.0
    warm_ms: list[float] = field(default_factory=list)
    sequential_per_s: float = 0.0
    pool_size: int = 0
    pool_per_s: float = 0.0
    statuses: set[str] = field(default_factory=set)
    layers: list[str] = field(default_factory=list)
    in_process_ms: float = 0.0

    @property
    def cold_p50(self) -> float:
        return statistics.median(self.cold_ms)

    @property
    def warm_p50(self) -> float:
        return statistics.median(self.warm_ms)

    @property
    def warm_p99(self) -> float:
        return percentile(self.warm_ms, 99)

    @property
    def speedup(self) -> float:
        return self.cold_p50 / self.warm_p50

    def to_dict(self) -> dict:
        return {
            "kata": self.kata, "sandbox": self.sandbox, "layers": self.layers, "job_kib": round(self.job_kib, 1),
            "cases": self.cases, "cold_p50_ms": round(self.cold_p50, 1), "start_ms": round(self.start_ms, 1),
            "warm_p50_ms": round(self.warm_p50, 2), "warm_p99_ms": round(self.warm_p99, 2),
            "sequential_per_s": round(self.sequential_per_s, 1), "pool_size": self.pool_size,
            "pool_per_s": round(self.pool_per_s, 1), "speedup": round(self.speedup, 1),
            "in_process_ms": round(self.in_process_ms, 2),
            "statuses": sorted(self.statuses),
        }


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


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
    return statistics.median(samples)


def lightest_kata(judge, catalog: Catalog) -> str:
    """The easy kata whose job (case inputs) is smallest."""
    from mlkatas.judge.judge import encode_inputs

    best = None
    for kata in catalog:
        if kata.difficulty != "easy":
            continue
        try:
            size = sum(len(b) for b in encode_inputs(judge.suite(kata.slug))[2])
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
        result = BenchResult(slug, sandbox, sum(len(b) for b in encode_inputs(suite)[2]) / 1024, len(suite.cases), cold)
        started = time.perf_counter()
        judge.start()
        result.start_ms = (time.perf_counter() - started) * 1000
        result.layers = list(judge.sandbox_plan.layers)
        source = catalog.get(slug).solution
        result.in_process_ms = in_process_ms(suite, catalog.get(slug).kind)
        for _ in range(5):  # first grades pay one-off costs (suite encoding, first fork)
            judge.grade(slug, source)
        out.print(f"warm verdicts: {count} gradings of {slug} from one thread ...")
        loop_started = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            verdict = judge.grade(slug, source)
            result.warm_ms.append((time.perf_counter() - t0) * 1000)
            result.statuses.add(verdict.status)
        result.sequential_per_s = count / (time.perf_counter() - loop_started)

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
        f"  cold baseline, fresh python importing torch+einops  p50 {r.cold_p50:8.1f} ms  (runs: {', '.join(f'{x:.0f}' for x in r.cold_ms)})",
        f"  judge start-up (first warm zygote)                      {r.start_ms:8.1f} ms",
        f"  the cases run in-process (reference, no judge)          {r.in_process_ms:8.1f} ms",
        f"  warm verdict, one thread                            p50 {r.warm_p50:8.1f} ms  p99 {r.warm_p99:.1f} ms",
        f"  sequential verdicts per second                          {r.sequential_per_s:8.1f}",
        f"  verdicts per second, pool of {r.pool_size} busy                  {r.pool_per_s:8.1f}",
    ]
    for line in lines:
        out.print(line, soft_wrap=True, highlight=False, markup=False)
    met = r.speedup >= TARGET_SPEEDUP
    mark = "[green]met[/green]" if met else "[red]not met[/red]"
    out.print(f"  warm p50 is {r.speedup:.0f}x faster than the cold baseline (target {TARGET_SPEEDUP}x: {mark})", soft_wrap=True)
    out.print(f"  verdicts: {', '.join(sorted(r.statuses))}", soft_wrap=True, highlight=False)
