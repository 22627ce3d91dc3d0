"""An 80-column terminal: code is never cut, tables keep a row to a line, and the watch's
status line stays on an 80x30 screen."""

from __future__ import annotations

import sys
import time

import pytest

from mlkatas.catalog import Catalog
from tests._practice import base_env, mlkatas
from tests.cli.watch_pty import TITLE, last_screen, rows_on, save, watching

CATALOG = Catalog.load()
NARROW = base_env(COLUMNS="80")
SPLIT = CATALOG.get("split-heads")
WRONG = next(v for v in SPLIT.variants if v.name == "wrong_head_minor").path.read_text()


def wide_references() -> list[str]:
    """Katas whose reference has a line that would not fit in a box 80 columns wide."""
    return [k.slug for k in CATALOG if max(map(len, k.solution.splitlines())) > 76]


def test_some_reference_is_wider_than_a_box_at_80_columns():
    assert "patch-merging" in wide_references()  # so the next test has something to prove


@pytest.mark.parametrize("slug", wide_references())
def test_solution_prints_every_line_of_the_reference_whole(tmp_path, slug):
    result = mlkatas("solution", slug, "--give-up", cwd=tmp_path, env=NARROW)
    assert result.returncode == 0, result.stderr
    shown = {line.rstrip() for line in result.stdout.splitlines()}
    missing = [line for line in CATALOG.get(slug).solution.rstrip().splitlines() if line.rstrip() not in shown]
    assert missing == []


def test_list_takes_one_line_per_kata_at_80_columns(tmp_path):
    result = mlkatas("list", cwd=tmp_path, env=NARROW)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").splitlines()
    assert max(len(line) for line in lines) <= 80
    for slug in CATALOG.katas:
        rows = [line for line in lines if f" {slug} " in line]
        assert len(rows) == 1, (slug, rows)
    assert len(lines) == len(CATALOG) + 2  # the header and its rule, then a line per kata
    assert "title" in lines[0] and "difficulty" in lines[0]


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_the_failed_line_stays_on_an_80x30_watch_screen(tmp_path):
    kata_file = tmp_path / "katas" / "split-heads.py"
    with watching(tmp_path, "split-heads", columns=80, rows=30) as screen:
        screen.expect("watching for saves", timeout=60)
        mark = screen.mark()
        save(kata_file, WRONG)
        screen.expect("FAILED", mark, timeout=120)
        screen.expect("The same mistake on a small case", mark, timeout=30)  # the second, taller screen
        screen.send("h")  # a hint as well: more than 30 rows' worth
        screen.expect("hint 1 of 2", mark, timeout=10)
        time.sleep(0.5)
        rows = rows_on(last_screen(screen), 80)
        assert len(rows) <= 30, "\n".join(rows)  # nothing scrolled off the top
        assert rows[0].startswith(TITLE + "split-heads")
        assert any(row.startswith("FAILED  split-heads") for row in rows)
        assert any("more lines of the verdict: a taller terminal shows them" in row for row in rows)
        assert any(row.startswith("katas/split-heads.py  ·  checked") for row in rows)  # the status line
        screen.send("q")
        assert screen.close() == 0
