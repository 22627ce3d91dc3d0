"""Turn what the child reported into a Verdict: compare, check inputs, rules and known mistakes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import torch

from mlkatas.engine.compare import Mismatch, compare_output
from mlkatas.engine.describe import clean_text, describe_case
from mlkatas.engine.explain_search import ExplanationSearch, diagnosed_message
from mlkatas.engine.lead import leading_failure
from mlkatas.engine.suite import Suite
from mlkatas.engine.tolerance import Tolerance
from mlkatas.engine.verdict import CaseResult, Verdict, graded_cases, status_for
from mlkatas.engine.vocabulary import Kind, Status


@dataclass
class LoadOutcome:
    """Whether the learner's file ran and defined the entry point (the child's word, checked)."""

    ok: bool
    kind: Kind | None = None  # why not, when not ok
    message: str = ""
    missing: bool = False  # the file ran but does not define the entry point


@dataclass
class CaseOutcome:
    """One case as the judge received it: the output, rebuilt from plain data, and which
    arguments were changed; or the kind and message of the failure the child reported."""

    ok: bool
    value: Any = None
    mutated: list[int] = field(default_factory=list)  # argument indices
    kind: Kind | None = None  # when not ok
    message: str = ""


@dataclass
class RunReport:
    """What the judge learned from one child run (all plain data)."""

    load: LoadOutcome | None = None
    outcomes: dict[int, CaseOutcome] = field(default_factory=dict)  # case index -> its outcome
    probe_counts: list | None = None
    log: str = ""
    stopped: Mismatch | None = None  # timeout/memory/crash that ended the run early
    stopped_at: int | None = None  # the case index in flight when it stopped
    # outputs the judge already compared while the child ran (its own work, never the child's word)
    compared: dict[int, Mismatch | None] = field(default_factory=dict)
    violation: bool = False  # the child sent what the protocol does not allow: `stopped` says what


def grade_report(suite: Suite, report: RunReport, elapsed_ms: float, budget_s: float | None = None) -> Verdict:
    """The verdict on one run. `budget_s` bounds the search for explanations of wrong answers
    (the judge's own CPU, spent after the child's limits stopped applying): past it, the cases
    left get the plain report."""
    kata = suite.kata
    deadline = None if budget_s is None else time.monotonic() + budget_s
    results: list[CaseResult] = []
    if report.violation and report.stopped is not None:  # nothing the child said counts
        return _verdict(
            suite, [CaseResult("run", False, "failed", "error", report.stopped.message)], report, elapsed_ms
        )
    if report.load is not None and not report.load.ok:
        message = clean_text(report.load.message)
        if report.load.missing:
            message = f"your file does not define `{kata.entry}`; the kata expects {kata.signature}"
        return _verdict(
            suite, [CaseResult("load", False, "failed", report.load.kind or Kind.ERROR, message)], report, elapsed_ms
        )
    if report.load is None:
        stopped = report.stopped or Mismatch("error", "your code ended the run before the judge could load it")
        return _verdict(suite, [CaseResult("load", False, "failed", stopped.kind, stopped.message)], report, elapsed_ms)

    tol = Tolerance.for_kata(kata)
    judged = {index: judge_case(suite, index, outcome, tol, report.compared)
              for index, outcome in report.outcomes.items() if index < len(suite.cases)}
    failed = {index: (report.outcomes[index].value, mismatch) for index, mismatch in judged.items()
              if mismatch is not None and report.outcomes[index].ok}
    # only after a failure, in case order, within the budget
    explained = ExplanationSearch(suite, tol, failed, deadline, ran_alone=len(judged) == 1).explain_all()
    for index, case in enumerate(suite.cases):
        outcome = report.outcomes.get(index)
        if outcome is None:
            if report.stopped is None:  # the run finished, yet this case never reported
                results.append(_result(suite, index, Mismatch("error", NO_REPORT)))
            elif report.stopped_at == index:
                results.append(_result(suite, index, report.stopped))
            else:
                results.append(CaseResult(case.name, case.hidden, "not run"))
            continue
        mismatch = judged[index]
        if index in failed:
            mismatch = diagnosed_message(failed[index][1], explained[index])
        results.append(_result(suite, index, mismatch, outcome))
    stopped_early = report.stopped is not None and (report.stopped_at or 0) < len(suite.cases)
    results.extend(check_rules(suite, report.probe_counts, report.stopped, stopped_early))
    return _verdict(suite, results, report, elapsed_ms)


def compare_case(suite: Suite, index: int, got: Any, tol: Tolerance) -> Mismatch | None:
    """The output against the expected one: structure, shape, dtype, values."""
    case, expected = suite.cases[index], suite.expected[index]
    return compare_output(expected, got, tol, case.hidden, suite.outputs, _tensor_dtypes(case.args))


def judge_case(suite: Suite, index: int, outcome: CaseOutcome, tol: Tolerance,
               compared: dict | None = None) -> Mismatch | None:
    """The plain comparison of one case (explanations come after, from ExplanationSearch)."""
    if not outcome.ok:
        return Mismatch(outcome.kind or Kind.ERROR, clean_text(outcome.message or "your code raised an error"))
    got = outcome.value
    mismatch = (
        compared[index] if compared is not None and index in compared else compare_case(suite, index, got, tol)
    )
    if mismatch and mismatch.kind in ("type", "shape", "dtype"):
        return mismatch
    if outcome.mutated:
        return Mismatch("mutated_input", _mutation_message(suite, suite.cases[index], outcome.mutated))
    return mismatch


NO_REPORT = (
    "no result came back for this case although your code finished: something in your file "
    "interfered with the judge's harness in its process"
)


def _tensor_dtypes(args) -> frozenset:
    found = set()
    for a in args:
        if isinstance(a, torch.Tensor):
            found.add(a.dtype)
        elif isinstance(a, (list, tuple)):
            found |= _tensor_dtypes(a)
    return frozenset(found)


def _mutation_message(suite: Suite, case, mutated: list[int]) -> str:
    names = [suite.arg_names[i] if i < len(suite.arg_names) else f"argument {i}" for i in mutated]
    lists = any(isinstance(case.args[i], (list, tuple)) for i in mutated if i < len(case.args))
    how = "in place: `x[...] = ...`, `x.add_()`, `x.transpose_()`..."
    if lists:
        how += "; or the list itself: append, insert, pop, sort, item assignment"
    return (
        f"your function changed its input {', '.join(names)} ({how}); the caller's values must stay as they "
        "were, so build new tensors or views"
    )


def check_rules(
    suite: Suite, counts: list | None, stopped: Mismatch | None = None, stopped_early: bool = False
) -> list[CaseResult]:
    """Rules measured on the probes. A probe that raised or did not report fails its rule: a
    measurement that was not taken proves nothing (and raising on the probes alone is the easy way
    around it). What the child counts, though, the learner's code could also forge: a rule is a
    teaching aid, not a security boundary (README, "What each mode promises")."""
    results = []
    sizes = [p.sizes for p in suite.probes]
    for rule in suite.kata.rules:
        if rule.kind != "ops-constant" or not suite.probes:
            continue
        name = f"rule {rule.id}"
        if stopped_early:  # the cases already say why the run ended
            results.append(CaseResult(name, False, "not run"))
            continue
        measured = counts if counts is not None else [None] * len(sizes)
        missing = [s for s, c in zip(sizes, measured, strict=True) if c is None]
        if missing or counts is None:
            where = "; ".join(_fmt_sizes(s) for s in missing)
            why = stopped.message if stopped is not None else "it raised or did not report"
            message = (f"{rule.message} (the judge could not measure your code on the larger inputs this rule is "
                       f"checked on, {where}: {why})")
            results.append(CaseResult(name, False, "failed", "rule", message))
            continue
        grows = counts[-1] > counts[0]
        detail = ", ".join(f"{c} operations for {_fmt_sizes(s)}" for c, s in zip(counts, sizes, strict=True))
        message = f"{rule.message} (your code ran {detail})" if grows else ""
        results.append(CaseResult(name, False, "failed" if grows else "passed", "rule" if grows else None, message))
    return results


def _fmt_sizes(sizes: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in sizes.items())


def _result(suite: Suite, index: int, mismatch: Mismatch | None, outcome: CaseOutcome | None = None) -> CaseResult:
    case = suite.cases[index]
    if mismatch is None:
        return CaseResult(case.name, case.hidden, "passed")
    inputs = describe_case(case, suite.arg_names)
    message = f"{mismatch.message}\n  inputs: {inputs}"
    seed = case.seed if case.hidden else None
    if seed is not None:  # how to run a case like it is each front end's to say (`seed` carries it)
        message += f"\n  this is a hidden case (seed {seed}): its values stay hidden"
    detail = dict(mismatch.detail)
    if outcome is not None and not case.hidden:
        detail.update(_small_tensors(suite.expected[index], outcome))
    return CaseResult(case.name, case.hidden, "failed", mismatch.kind, message, detail, seed)


def _small_tensors(expected: Any, outcome: CaseOutcome) -> dict:
    """Expected and got, when small enough to draw (terminal grids, notebook tables)."""
    got = outcome.value
    if isinstance(expected, torch.Tensor) and isinstance(got, torch.Tensor) and expected.numel() <= 256:
        return {"expected": expected, "got": got}
    return {}


def _verdict(suite: Suite, results: list[CaseResult], report: RunReport, elapsed_ms: float) -> Verdict:
    failed = [r for r in results if r.status == "failed"]
    first = leading_failure(results)  # the most specific diagnosis leads: Verdict.first_failure agrees
    status = status_for(first.kind if first else None)
    if status == "passed" and any(r.status != "passed" for r in results):
        status = Status.ERROR  # never a pass unless every check passed
    graded = graded_cases(results)
    if first is None:
        summary = f"all {len(graded)} checks passed"
    else:
        head = first.message.splitlines()[0] if first.message else first.kind
        not_run = sum(r.status == "not run" for r in graded)
        count = (
            f" ({len(failed)} of {len(graded)} checks failed" + (f", {not_run} not run)" if not_run else ")")
            if graded else ""
        )
        summary = f"{first.name}: {first.kind}: {head}{count}"
    return Verdict(suite.kata.slug, status, summary, results, elapsed_ms, clean_text(report.log, 10**7))


def source_problem_verdict(slug: str, kind: str, message: str) -> Verdict:
    """A verdict for a submission rejected before it ran (too large, null bytes, not UTF-8)."""
    return Verdict(
        slug, status_for(kind), f"load: {kind}: {message}", [CaseResult("load", False, "failed", kind, message)]
    )


__all__ = ["CaseOutcome", "LoadOutcome", "RunReport", "compare_case", "grade_report", "source_problem_verdict"]
