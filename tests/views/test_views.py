"""What every front end shows: the picture of expected versus got marks exactly the cells the
verdict beside it counts wrong (the kata's tolerance, `exact` and overrides included), and the
terminal and HTML panels say the same things."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from mlkatas.catalog import Catalog
from mlkatas.engine.verdict import CaseResult, Verdict
from mlkatas.views.html import GOT_DIFFERS, verdict_html
from mlkatas.views.terminal import verdict_view

SOLUTION = "def tiny_double(x):\n    return x * 2\n"
# The right answer, off at row 0, column 1 by OFF and at row 1, column 2 by FAR.
LEARNER = """\
def tiny_double(x):
    y = x * 2
    y[0, 1] += {off}
    y[1, 2] += {far}
    return y
"""


def write_kata(pack, slug: str, toml_extra: str = "") -> None:
    kata = pack / slug
    kata.mkdir(parents=True)
    (kata / "kata.toml").write_text(
        f'slug = "{slug}"\ntitle = "Tiny Double"\ndifficulty = "easy"\ntime = "<10 mins"\ntopics = ["testing"]\n'
        f'entry = "tiny_double"\nsignature = "tiny_double(x)"\nhidden_cases = 3\n{toml_extra}'
    )
    (kata / "README.md").write_text("# Tiny Double\n\nReturn `2 * x`.\n")
    (kata / "starter.py").write_text("def tiny_double(x):\n    raise NotImplementedError\n")
    (kata / "solution.py").write_text(SOLUTION)
    (kata / "cases.py").write_text(
        "def example(g):\n    return g.case(g.tensor((2, 3), 'float64', layout='contiguous'))\n\n\n"
        "def hidden(g):\n    return g.case(g.tensor((g.size('H', 2, 4), g.size('W', 3, 4)), 'float64'))\n"
    )


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """grade(slug, off, far) -> (verdict, kata), with one warm local judge for the module."""
    from mlkatas.judge import Judge

    pack = tmp_path_factory.mktemp("viewspack") / "viewspack"
    write_kata(pack, "tiny-double")  # the default tolerances
    write_kata(pack, "tiny-double-exact", "exact = true\n")
    write_kata(pack, "tiny-double-loose", "\n[tolerance.float64]\nrtol = 1e-6\natol = 1e-6\n")
    catalog = Catalog.load([pack])
    with Judge(sandbox="local", catalog=catalog) as judge:
        def grade(slug: str, off: float, far: float = 0.0):
            verdict = judge.grade(slug, LEARNER.format(off=off, far=far))
            return verdict, catalog.get(slug)

        yield grade


def marked_got_cells(html: str) -> list[tuple[int, int]]:
    """(row, column) of the marked cells of the got grid in a verdict panel's HTML."""
    got = html.split("<b>got</b>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", got)
    cells = [re.findall(r"<td[^>]*>", row) for row in rows]
    return [(r, c) for r, row in enumerate(cells) for c, cell in enumerate(row) if GOT_DIFFERS in cell]


def terminal_text(verdict, kata) -> str:
    console = Console(width=160, record=True, file=io.StringIO(), color_system=None)
    console.print(verdict_view(verdict, kata))
    return console.export_text()


def test_a_float64_value_off_by_5e_8_fails_and_its_cell_is_marked(judged):
    verdict, kata = judged("tiny-double", 5e-8)
    assert verdict.status == "failed" and verdict.kind == "values"
    assert "differs at 1 of 6 positions; first at index (0, 1)" in verdict.first_failure.message
    html = verdict_html(verdict, kata)
    assert marked_got_cells(html) == [(0, 1)]
    assert "1 of 6 cells differ" in html and "1 of 6 cells differ" in terminal_text(verdict, kata)


def test_an_exact_kata_marks_any_difference(judged):
    verdict, kata = judged("tiny-double", 1e-12)
    assert verdict.passed  # within the default float64 tolerance
    verdict, kata = judged("tiny-double-exact", 1e-12)
    assert verdict.status == "failed" and verdict.kind == "values"
    assert marked_got_cells(verdict_html(verdict, kata)) == [(0, 1)]


def test_a_katas_tolerance_override_decides_the_marks_too(judged):
    # rtol = atol = 1e-6 for float64: 9e-7 is right here (the default table would count it wrong)
    verdict, kata = judged("tiny-double-loose", 9e-7, far=1e-3)
    assert verdict.status == "failed"
    assert "differs at 1 of 6 positions; first at index (1, 2)" in verdict.first_failure.message
    assert marked_got_cells(verdict_html(verdict, kata)) == [(1, 2)]


def test_terminal_and_html_panels_say_the_same_things():
    verdict = Verdict(
        "tiny-double", "failed", "example: values: ...",
        [CaseResult("example", False, "failed", "values", "output differs"),
         CaseResult("hidden 1", True, "failed", "values", "output differs"),
         CaseResult("hidden 2", True, "failed", "rearranged", "misplaced"),
         CaseResult("hidden 3", True, "passed"),
         CaseResult("hidden 4", True, "failed", "values", "output differs")],
        elapsed_ms=12.4,
    )
    kata = Catalog.load().get("split-heads")
    text = " ".join(terminal_text(verdict, kata).split())
    html = verdict_html(verdict, kata)
    for words in ("tiny-double · 1/5 checks passed · 12 ms", "example · values",
                  "Also failed: 2 × values, 1 × rearranged"):
        assert words in text and words in html


def test_the_run_itself_is_not_counted_as_a_check():
    load = CaseResult("load", False, "failed", "error", "SyntaxError")
    verdict = Verdict("tiny-double", "error", "load: error: ...", [load])
    kata = Catalog.load().get("split-heads")
    assert "0/0 checks passed" in terminal_text(verdict, kata) and "0/0 checks passed" in verdict_html(verdict, kata)
