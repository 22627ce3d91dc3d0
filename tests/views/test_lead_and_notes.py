"""What a learner reads first and last: the most specific failure leads in every view, the rest
in one line; cells are marked without colour; a pass with loops shows the vectorised form."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from mlkatas.catalog import Catalog
from mlkatas.engine.verdict import CaseResult, Verdict
from mlkatas.views.fluency import loop_note
from mlkatas.views.html import verdict_html
from mlkatas.views.terminal import verdict_view

CRASH = "RuntimeError: stack expects a non-empty TensorList\n  inputs: x: float32 (3, 5, 3), window_size=5, step=5"
ONE_SHORT = ("output has shape (6, 4, 3), expected (8, 4, 3). You made one window fewer than fit\n"
             "  inputs: x: float32 (2, 11, 3), window_size=4, step=2")


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def text_of(renderable, color_system: str | None = None) -> str:
    console = Console(width=160, record=True, file=io.StringIO(), color_system=color_system)
    console.print(renderable)
    return console.export_text()


def crash_first_verdict() -> Verdict:
    return Verdict("sliding-windows", "failed", "hidden 2: shape: ...", [
        CaseResult("example", False, "failed", "error", CRASH),
        CaseResult("hidden 1", True, "failed", "error", CRASH.replace("(3, 5, 3)", "(1, 4, 2)")),
        CaseResult("hidden 2", True, "failed", "shape", ONE_SHORT),
        CaseResult("hidden 3", True, "passed"),
        CaseResult("hidden 4", True, "failed", "shape", ONE_SHORT),
    ])


def test_terminal_and_html_lead_with_the_diagnosis_and_sum_up_the_crashes_in_one_line(catalog):
    verdict = crash_first_verdict()
    kata = catalog.get("sliding-windows")
    terminal = " ".join(text_of(verdict_view(verdict, kata)).split())
    html = verdict_html(verdict, kata)
    also = ("Also failed: 1 × shape; 2 crashed with RuntimeError: stack expects a non-empty TensorList "
            "(first on x: float32 (3, 5, 3), window_size=5, step=5)")
    for shown in (terminal, html):
        assert "hidden 2 (hidden) · shape" in shown and "You made one window fewer than fit" in shown
        assert also in shown
        assert "example · error" not in shown


def test_the_real_judge_leads_with_one_window_short_not_the_crash(catalog):
    from mlkatas.judge import Judge

    off_by_one = (
        "import torch\n"
        "def create_sliding_windows(x, window_size, step):\n"
        "    count = (x.shape[1] - window_size) // step\n"
        "    return torch.stack([x[b, w * step:w * step + window_size] for b in range(x.shape[0])\n"
        "                        for w in range(count)])\n"
    )
    with Judge(sandbox="local", catalog=catalog) as judge:
        verdict = judge.grade("sliding-windows", off_by_one)
    crashed = [c for c in verdict.cases if c.kind == "error"]
    assert crashed, "some hidden cases fit exactly one window, where this code crashes"
    lead = verdict.first_failure
    assert lead.kind == "shape" and "one window fewer than fit" in lead.message
    data = verdict.to_dict()
    assert json.loads(json.dumps(data))["summary"].startswith(f"{lead.name}: shape: ")
    assert [c["name"] for c in data["cases"]][:2] == ["example", "hidden 1"]
    kata = catalog.get("sliding-windows")
    assert f"{len(crashed)} crashed with RuntimeError" in text_of(verdict_view(verdict, kata))


def differing_verdict() -> Verdict:
    import torch

    expected = torch.tensor([[1, 2, 3], [4, 5, 6]])
    got = torch.tensor([[1, 2, 30], [4, 5, 6]])
    detail = {"expected": expected, "got": got}
    case = CaseResult("example", False, "failed", "values", "output differs", detail)
    return Verdict("batch-transpose", "failed", "example: values: ...", [case])


def test_without_colour_a_character_marks_the_differing_cells(catalog):
    verdict, kata = differing_verdict(), catalog.get("batch-transpose")
    plain = text_of(verdict_view(verdict, kata))
    assert "* marks a cell that differs" in plain
    assert " 3*" in plain and "30*" in plain and "2*" not in plain
    coloured = text_of(verdict_view(verdict, kata), color_system="truecolor")
    assert "*" not in coloured  # colour marks it there


LOOPED = (
    "import torch\n\n"
    "def batch_transpose(x):\n"
    "    out = []\n"
    "    for m in x:\n"
    "        out.append(m.transpose(0, 1))\n"
    "    return torch.stack(out)\n"
)


def test_a_pass_with_a_loop_shows_the_vectorised_form_in_terminal_and_html(catalog):
    kata = catalog.get("batch-transpose")
    note = loop_note(LOOPED, kata)
    assert note is not None and note.line == 5 and note.what == "a for loop"
    passed = Verdict("batch-transpose", "passed", "all 61 checks passed", [CaseResult("example", False, "passed")])
    for shown in (text_of(verdict_view(passed, kata, loops=note)), verdict_html(passed, kata, loops=note)):
        assert "the vectorised form" in shown and "with a for loop (line 5)" in shown
        assert "b h w -&gt; b w h" in shown or "b h w -> b w h" in shown
    failed = differing_verdict()
    assert "the vectorised form" not in text_of(verdict_view(failed, kata, loops=note))


def test_no_loop_note_for_vectorised_code_or_code_that_does_not_parse(catalog):
    kata = catalog.get("batch-transpose")
    assert loop_note("def batch_transpose(x):\n    return x.transpose(1, 2)\n", kata) is None
    assert loop_note("def batch_transpose(x:\n", kata) is None
    comprehension = "def batch_transpose(x):\n    return __import__('torch').stack([m.T for m in x])\n"
    assert loop_note(comprehension, kata).what == "a comprehension"
