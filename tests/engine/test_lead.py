"""A verdict leads with its most specific diagnosis: a named mistake or an explanation before the
bare comparison report, and that before a crash on an edge case; the cases keep their order."""

from __future__ import annotations

import torch

from mlkatas.engine.compare import compare_tensor
from mlkatas.engine.lead import CRASH, GENERIC, RULE, SPECIFIC, rank
from mlkatas.engine.tolerance import Tolerance
from mlkatas.engine.verdict import CaseResult, Verdict

INPUTS = "\n  inputs: x: float32 (2, 11, 3), window_size=4, step=2"


def failed(name: str, kind: str, message: str) -> CaseResult:
    return CaseResult(name, name != "example", "failed", kind, message + INPUTS)


def bare_report(expected: torch.Tensor, got: torch.Tensor, exact: bool = False) -> str:
    mismatch = compare_tensor("output", expected, got, Tolerance(exact=exact), hidden=False)
    assert mismatch is not None
    return mismatch.message


def test_the_comparisons_own_reports_rank_as_generic_and_anything_added_as_specific():
    x = torch.arange(6.0).reshape(2, 3)
    reports = {
        "values": bare_report(x, x + 1),
        "rearranged": bare_report(x, x.flip(1), exact=True),
        "shape": bare_report(x, x.T),
    }
    for kind, message in reports.items():
        assert rank(failed("hidden 1", kind, message)) == GENERIC, message
        named = message + ". You made one window fewer than fit"
        assert rank(failed("hidden 1", kind, named)) == SPECIFIC
    assert rank(failed("hidden 1", "error", "RuntimeError: stack expects a non-empty TensorList")) == CRASH


def test_the_float32_round_trip_note_counts_as_a_diagnosis():
    x = torch.rand(4, dtype=torch.float64) + 1
    message = bare_report(x, x + 1e-7)
    assert "float32 precision" in message and rank(failed("hidden 1", "values", message)) == SPECIFIC


def test_a_later_specific_diagnosis_leads_over_an_earlier_crash_and_a_bare_differs():
    x = torch.arange(6.0).reshape(2, 3)
    cases = [
        failed("example", "error", "RuntimeError: stack expects a non-empty TensorList"),
        failed("hidden 1", "values", bare_report(x, x + 1)),
        failed("hidden 2", "shape", "output has shape (6, 4, 3), expected (8, 4, 3). You made one window fewer"),
        failed("hidden 3", "shape", "output has shape (1, 4, 3), expected (2, 4, 3). You made one window fewer"),
    ]
    verdict = Verdict("sliding-windows", "failed", "", cases)
    assert verdict.first_failure is cases[2] and verdict.kind == "shape"
    assert [c.name for c in verdict.cases] == ["example", "hidden 1", "hidden 2", "hidden 3"]  # order kept
    assert Verdict("sliding-windows", "failed", "", cases[:2]).first_failure is cases[1]  # differs before a crash
    assert Verdict("sliding-windows", "error", "", cases[:1]).first_failure is cases[0]  # a crash alone still leads


def test_a_rule_that_could_not_be_measured_does_not_hide_the_crash_behind_it():
    crash = failed("example", "error", "RuntimeError: mat1 and mat2 shapes cannot be multiplied")
    rule = CaseResult("rule batched", False, "failed", "rule", "A loop over the experts was detected (it raised)")
    assert rank(rule) == RULE
    assert Verdict("batched-expert-forward", "error", "", [crash, rule]).first_failure is crash
    assert Verdict("batched-expert-forward", "failed", "", [rule]).first_failure is rule


def test_where_most_cases_crash_a_bare_differs_on_a_lucky_size_does_not_lead():
    x = torch.arange(6.0).reshape(2, 3)
    crash = "RuntimeError: mat1 and mat2 shapes cannot be multiplied"
    cases = [failed("example", "error", crash), failed("hidden 1", "error", crash),
             failed("hidden 2", "values", bare_report(x, x + 1))]
    assert Verdict("batched-expert-forward", "error", "", cases).first_failure is cases[0]
    named = failed("hidden 3", "values", bare_report(x, x + 1) + ". You transposed the weights")
    assert Verdict("batched-expert-forward", "failed", "", [*cases, named]).first_failure is named
