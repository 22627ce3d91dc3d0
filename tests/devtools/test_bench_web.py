"""`mlkatas dev bench-web` as a developer runs it: every figure of the speed sections of issues 10
(the catalogue) and 11 (practice) printed beside its target in one run (on a tiny data set and a
short duration: the figures, not their values, are checked), and a clear failure when it cannot
measure."""

from __future__ import annotations

import json
import shutil

import pytest

from mlkatas.devtools.bench_web import BenchError, parse_wrk
from tests._practice import mlkatas

TINY = ("dev", "bench-web", "--katas", "40", "--users", "2", "--seconds", "1", "--latency-requests", "10",
        "--kata-requests", "50", "--window", "1", "--connections", "8", "--sandbox", "local", "--submissions", "3",
        "--submit-seconds", "1", "--paint-runs", "2")


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (scripts/install-system-deps.sh)")
def test_one_run_prints_every_figure_beside_its_target(tmp_path):
    result = mlkatas(*TINY, "--json", cwd=tmp_path, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    text = result.stdout
    for measure, target in (("listing req/s", "≥ 500"), ("filtered req/s", "≥ 500"), ("search req/s", "≥ 500"),
                            ("page 30 / page 1", "≥ 90%"), ("kata page req/s", "≥ 1,300"),
                            ("kata page first → last of", "20,000 req")):
        line = next((x for x in text.splitlines() if measure in x), None)
        assert line is not None and target in line, f"{measure!r} with {target!r} missing:\n{text}"
        assert "met" in line or "missed" in line
    for measure, target in (("submit → verdict p50 ms, HTTP / judge", "≤ 1.5×"),
                            ("submissions/s, 16 learners / judge busy", "≥ 80%"),
                            ("first paint + editor ms, p50 of 2", "≤ 300")):
        line = next((x for x in text.splitlines() if measure in x), None)
        assert line is not None and target in line, f"{measure!r} with {target!r} missing:\n{text}"
        assert "met" in line or "missed" in line
    for endpoint in ("listing", "filtered", "search", "page 30", "kata page"):
        line = next((x for x in text.splitlines() if f"p50 ms, {endpoint} " in x), "")
        assert "≤ 3" in line and ("met" in line or "missed" in line), f"p50 of {endpoint} missing:\n{text}"
    figures = json.loads(text[text.index("\n{") + 1:])
    assert set(figures["throughput"]) == {"listing", "filtered", "search", "page 30", "page 1, beside page 30",
                                          "kata page"}
    assert all(t["requests"] > 0 and t["rps"] > 0 for t in figures["throughput"].values())
    assert set(figures["p50_ms"]) == set(figures["throughput"]) - {"page 1, beside page 30"}
    assert figures["katas"] == 40 and figures["users"] == 2 and figures["actions"] > 0
    practice = figures["practice"]  # every submission was graded: the server got the bench's fair-use limits
    assert practice["kata"] == "split-heads" and practice["submit_p50_ms"] > 0 and practice["judge_p50_ms"] > 0
    assert practice["submissions_per_s"] > 0 and practice["judge_per_s"] > 0
    assert practice["latency_ratio"] == pytest.approx(practice["submit_p50_ms"] / practice["judge_p50_ms"], abs=0.02)
    assert len(figures["first_paint_ms"]) == 2 and all(0 < ms < 10_000 for ms in figures["first_paint_ms"])
    assert not list(tmp_path.iterdir()), "the benchmark leaves its database in a temporary folder, not here"


def test_without_wrk_it_says_so_and_fails(tmp_path):
    result = mlkatas(*TINY, "--wrk", str(tmp_path / "no-wrk-here"), cwd=tmp_path)
    assert result.returncode == 1
    assert "could not measure" in result.stdout and "wrk is not installed" in result.stdout


def test_errors_under_load_are_not_taken_for_a_speed():
    output = ("Running 1s test @ http://127.0.0.1:1/\n  812 requests in 1.00s, 2.1MB read\n"
              "  Non-2xx or 3xx responses: 812\nRequests/sec:    811.20\n")
    with pytest.raises(BenchError, match="812 errors"):
        parse_wrk(output, "/")
    ok = parse_wrk(output.replace("  Non-2xx or 3xx responses: 812\n", ""), "/")
    assert ok.rps == 811.2 and ok.requests == 812 and ok.seconds == 1.0
