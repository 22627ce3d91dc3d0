"""Submitting over HTTP against the judge itself, for `mlkatas dev bench-web`.

Two comparisons, each taken in one run on one machine:
- latency: submit-to-verdict at an idle server (POST /api/katas/SLUG/submissions?wait=..., one
  learner, IDLE_S between submissions) against the judge's own idle verdict (`Judge.grade` in
  this process, the same idle gap, as `dev bench-judge` takes it). Target: p50 <= 1.5x.
- throughput: verdicts per second with LEARNERS learners submitting at once, each the moment their
  last verdict came, against the judge's own verdicts per second with every zygote busy.
  Target: >= 80%.

The server must allow the load: start it with $MLKATAS_SUBMIT_PER_MINUTE and
$MLKATAS_SUBMIT_QUEUE_MAX raised (every learner here comes from 127.0.0.1). Run the judge's
figures while the server is idle, and the server's while no judge of this process grades.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field

from mlkatas.devtools.judgebench import IDLE_S
from mlkatas.devtools.stats import median

LEARNERS = 16
TARGET_LATENCY_RATIO = 1.5
TARGET_THROUGHPUT_RATIO = 0.8
ENV_FOR_SERVER = {"MLKATAS_SUBMIT_PER_MINUTE": "1000000", "MLKATAS_SUBMIT_QUEUE_MAX": "1000"}


class SubmitFailed(RuntimeError):
    """A submission the bench sent was refused or not graded."""


def submit_once(port: int, slug: str, source: str, wait_s: float = 60) -> dict:
    """One submission as a fresh anonymous learner, answered with its verdict."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=wait_s + 10)
    try:
        conn.request("POST", f"/api/katas/{slug}/submissions?wait={wait_s:g}", json.dumps({"source": source}),
                     {"content-type": "application/json"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 201:
        raise SubmitFailed(f"POST answered {response.status}: {body[:300]!r}")
    answer = json.loads(body)
    if answer["state"] != "done":
        raise SubmitFailed(f"no verdict within {wait_s:g} s")
    return answer


def http_idle_once_ms(port: int, slug: str, source: str) -> float:
    """One submit-to-verdict time at an idle server."""
    time.sleep(IDLE_S)
    started = time.perf_counter()
    submit_once(port, slug, source)
    return (time.perf_counter() - started) * 1000


def judge_idle_once_ms(judge, slug: str, source: str) -> float:
    """One verdict of the judge at idle, measured as `dev bench-judge` does."""
    judge.ready()
    time.sleep(IDLE_S)
    started = time.perf_counter()
    judge.grade(slug, source)
    return (time.perf_counter() - started) * 1000


def idle_pairs_ms(port: int, judge, slug: str, source: str, count: int,
                  warmup: int = 3) -> tuple[list[float], list[float]]:
    """Submit-to-verdict over HTTP and the judge's own verdict, alternating one of each, so the
    two series see the same machine: (HTTP samples, judge samples)."""
    http_ms, judge_ms = [], []
    for i in range(warmup + count):
        one_http, one_judge = http_idle_once_ms(port, slug, source), judge_idle_once_ms(judge, slug, source)
        if i >= warmup:
            http_ms.append(one_http)
            judge_ms.append(one_judge)
    return http_ms, judge_ms


def in_parallel(count: int, seconds: float, one) -> float:
    """`one()` called over and over on `count` threads for about `seconds`: calls per second."""
    done = [0] * count
    stop = time.perf_counter() + seconds

    def loop(n: int) -> None:
        while time.perf_counter() < stop:
            one()
            done[n] += 1

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def http_per_s(port: int, slug: str, source: str, seconds: float, learners: int = LEARNERS) -> float:
    """Verdicts per second with `learners` submitting at once for about `seconds`, each the moment
    their last verdict came."""
    errors: list[str] = []

    def one() -> None:
        if errors:
            return
        try:
            submit_once(port, slug, source)
        except (SubmitFailed, OSError) as exc:
            errors.append(str(exc))

    per_s = in_parallel(learners, seconds, one)
    if errors:
        raise SubmitFailed(f"{len(errors)} submissions failed: {errors[0]}")
    return per_s


def judge_per_s(judge, slug: str, source: str, seconds: float) -> float:
    """The judge's own verdicts per second with one grading thread per zygote."""
    judge.warm()
    return in_parallel(judge.workers, seconds, lambda: judge.grade(slug, source))


@dataclass
class SubmitBench:
    kata: str
    http_ms: list[float] = field(default_factory=list)
    judge_ms: list[float] = field(default_factory=list)
    http_per_s: float = 0.0
    judge_per_s: float = 0.0

    @property
    def latency_ratio(self) -> float:
        return median(self.http_ms) / median(self.judge_ms)

    @property
    def throughput_ratio(self) -> float:
        return self.http_per_s / self.judge_per_s

    @property
    def met(self) -> bool:
        return self.latency_ratio <= TARGET_LATENCY_RATIO and self.throughput_ratio >= TARGET_THROUGHPUT_RATIO

    def to_dict(self) -> dict:
        return {
            "kata": self.kata,
            "submit_p50_ms": round(median(self.http_ms), 1), "judge_p50_ms": round(median(self.judge_ms), 1),
            "latency_ratio": round(self.latency_ratio, 2), "latency_target": TARGET_LATENCY_RATIO,
            "submissions_per_s": round(self.http_per_s, 1), "judge_per_s": round(self.judge_per_s, 1),
            "throughput_ratio": round(self.throughput_ratio, 2), "throughput_target": TARGET_THROUGHPUT_RATIO,
            "learners": LEARNERS, "met": self.met,
        }


def bench_submit(port: int, judge, slug: str, source: str, count: int = 30, seconds: float = 5.0) -> SubmitBench:
    """Both comparisons: the server at `port` (its grader idle otherwise) and `judge`, a judge of
    this process with the server's sandbox and pool size, each measured while the other rests."""
    result = SubmitBench(slug)
    result.http_ms, result.judge_ms = idle_pairs_ms(port, judge, slug, source, count)
    result.judge_per_s = judge_per_s(judge, slug, source, seconds)
    result.http_per_s = http_per_s(port, slug, source, seconds)
    return result
