"""`mlkatas watch` in a pseudo-terminal: saves are checked, keys work, and it quits cleanly."""

from __future__ import annotations

import json
import sys
import time

import pytest

from mlkatas.catalog import Catalog
from tests.cli.watch_pty import save, watching

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

CATALOG = Catalog.load()
SPLIT = CATALOG.get("split-heads")
WRONG = next(v for v in SPLIT.variants if v.name == "wrong_head_minor").path.read_text()


def test_watch_checks_every_save_and_answers_keys(tmp_path):
    kata_file = tmp_path / "katas" / "split-heads.py"
    with watching(tmp_path, "split-heads") as screen:
        screen.expect("watching for saves", timeout=60)
        assert "Multi-Head Attention" in screen.text  # untouched starter: the task is shown
        assert kata_file.is_file()

        mark = screen.mark()
        save(kata_file, WRONG)
        screen.expect("FAILED", mark, timeout=120)  # the first check may wait for the judge to warm up
        screen.expect("rearranged", mark, timeout=5)
        # the example is too big to draw: a small hidden-like case with the same mistake is
        screen.expect("The same mistake on a small case", mark, timeout=30)

        time.sleep(0.3)
        mark = screen.mark()
        started = time.monotonic()
        save(kata_file, SPLIT.solution)
        screen.expect("PASSED", mark, timeout=30)
        warm = time.monotonic() - started
        screen.expect(r"Solved! Press n for the next kata", mark, timeout=5)
        assert warm < 3.0, f"a warm save took {warm:.2f} s to reach the screen"

        mark = screen.mark()
        screen.send("h")
        screen.expect("hint 1 of 2", mark, timeout=10)
        mark = screen.mark()
        screen.send("l")
        screen.expect("merge-heads", mark, timeout=10)

        mark = screen.mark()
        screen.send("r")  # asks first: the file holds work
        screen.expect(r"Press r again to reset split-heads to the starter \(your version goes to katas/backups/\)",
                      mark, timeout=10)
        assert kata_file.read_text() == SPLIT.solution
        time.sleep(0.5)  # an answer, not typing
        mark = screen.mark()
        screen.send("r")
        screen.expect(r"Reset katas/split-heads.py to the starter; your version is in katas/backups/split-heads-",
                      mark, timeout=10)
        assert "raise NotImplementedError" in kata_file.read_text()
        backups = list((tmp_path / "katas" / "backups").glob("split-heads-*.py"))
        assert [b.read_text() for b in backups] == [SPLIT.solution]

        order = list(CATALOG.katas)
        following = order[(order.index("split-heads") + 1) % len(order)]
        mark = screen.mark()
        screen.send("n")  # solved: moving on loses nothing, so n does not ask
        screen.expect(f"mlkatas watch  ·  {following}", mark, timeout=30)
        assert (tmp_path / "katas" / f"{following}.py").is_file()

        mark = screen.mark()
        screen.send("q")
        screen.expect("Stopped watching", mark, timeout=20)
        assert screen.close() == 0
    state = json.loads((tmp_path / "katas" / ".mlkatas-state.json").read_text())
    assert state["katas"]["split-heads"]["solved"] and state["katas"]["split-heads"]["hints"] == 1
    assert state["current"] == following


def test_manual_mode_checks_on_enter_only(tmp_path):
    kata_file = tmp_path / "katas" / "split-heads.py"
    with watching(tmp_path, "split-heads", "--manual") as screen:
        screen.expect("press Enter to check", timeout=60)
        mark = screen.mark()
        save(kata_file, SPLIT.solution)
        time.sleep(1.0)
        assert "PASSED" not in screen.text[mark:]  # no file watching in manual mode
        screen.send("\n")
        screen.expect("PASSED", mark, timeout=120)
        screen.send("q")
        assert screen.close() == 0
