"""The judge benchmark's report: figures side by side, and no speed-up claimed for a run whose
reference solution did not pass (those figures would time an error, not a verdict)."""

from rich.console import Console

from mlkatas.devtools.judgebench import BenchResult, report
from mlkatas.devtools.stats import percentile


def result(statuses: set[str]) -> BenchResult:
    r = BenchResult("split-heads", "strict", 36.0, 61, cold_ms=[1800.0, 2000.0, 1900.0])
    r.warm_ms = [15.0, 16.0, 17.0, 40.0]
    r.back_to_back_ms = [20.0, 21.0, 22.0]
    r.statuses = statuses
    r.cpu_ms_per_verdict = 30.0
    return r


def printed(r: BenchResult) -> str:
    console = Console(record=True, width=200)
    report(r, console)
    return console.export_text()


def test_a_valid_run_reports_both_latencies_and_the_speedup():
    text = printed(result({"passed"}))
    assert "p50     16.5 ms" in text and "p50     21.0 ms" in text
    assert "115x faster than the cold baseline" in text and "met" in text
    assert "back to back, 90x" in text
    assert "30.0 ms" in text  # CPU per verdict


def test_a_run_whose_reference_failed_claims_nothing():
    r = result({"passed", "error"})
    assert not r.valid and r.to_dict()["valid"] is False
    text = printed(r)
    assert "invalid run" in text and "faster than" not in text


def test_percentile_interpolates():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 99) == 5.0
