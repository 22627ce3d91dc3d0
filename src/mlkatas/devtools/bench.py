"""`mlkatas dev bench`: how long grading a correct solution takes, per kata, in local mode.

Printed beside a baseline measured in the same run: calling the reference in-process on the same
cases, with no child process, no transfer and no comparison. The difference is the judge's cost.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

from mlkatas.catalog import Catalog
from mlkatas.catalog.kata import Kata
from mlkatas.devtools.stats import median
from mlkatas.engine.suite import call_entry


def bench_katas(katas: list[Kata], catalog: Catalog, repeat: int, out: Console) -> list[dict]:
    from mlkatas.judge import Judge

    started = time.perf_counter()
    judge = Judge(catalog=catalog)
    judge.start()
    out.print(f"judge start-up (warm zygote: torch, einops imported): {(time.perf_counter() - started) * 1000:.0f} ms")
    table = Table(header_style="bold", show_edge=False)
    for column in ("kata", "cases", "grade p50 ms", "grade max ms", "in-process ms", "status"):
        table.add_column(column, justify="left" if column in ("kata", "status") else "right")
    rows = []
    try:
        for kata in katas:
            suite = judge.suite(kata.slug)
            source = kata.solution
            judge.grade(kata.slug, source)  # warm caches
            grade_times, statuses = [], set()
            for _ in range(repeat):
                t0 = time.perf_counter()
                statuses.add(judge.grade(kata.slug, source).status)
                grade_times.append(time.perf_counter() - t0)
            direct_times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                for case in suite.cases:
                    call_entry(suite.reference, kata.kind, case)
                direct_times.append(time.perf_counter() - t0)
            row = {
                "kata": kata.slug,
                "cases": len(suite.cases),
                "grade_p50_ms": median(grade_times) * 1000,
                "grade_max_ms": max(grade_times) * 1000,
                "in_process_ms": median(direct_times) * 1000,
                "status": "/".join(sorted(statuses)),
            }
            rows.append(row)
            table.add_row(
                row["kata"], str(row["cases"]), f"{row['grade_p50_ms']:.1f}", f"{row['grade_max_ms']:.1f}",
                f"{row['in_process_ms']:.1f}", row["status"],
            )
    finally:
        judge.close()
    out.print(table)
    total = sum(r["grade_p50_ms"] for r in rows)
    out.print(f"{len(rows)} katas, median grading time summed: {total:.0f} ms")
    return rows
