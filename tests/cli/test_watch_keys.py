"""The watch's keys in a pseudo-terminal, as a learner meets them: keys typed into the wrong
pane lose nothing, the list opens a kata by its number, a `start` elsewhere is followed, and
`q` quits at once, even while a check hangs."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from mlkatas.catalog import Catalog
from tests._practice import mlkatas
from tests.cli.watch_pty import last_screen, save, watch_env, watching

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")

CATALOG = Catalog.load()
SPLIT = CATALOG.get("split-heads")
HANGS = "import time\n\n\ndef split_heads(x, num_heads):\n    time.sleep(600)\n"


def kata_files(tmp_path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (tmp_path / "katas").glob("*.py")}


def other_kata() -> str:
    return next(slug for slug in CATALOG.katas if slug != "split-heads")


def test_typing_return_x_into_the_watch_pane_changes_no_file_and_not_the_kata(tmp_path):
    kata_file = tmp_path / "katas" / "split-heads.py"
    with watching(tmp_path, "split-heads") as screen:
        screen.expect("watching for saves", timeout=60)
        for solution in (None, SPLIT.solution):  # on the untouched starter, then on a solved file
            if solution is not None:
                mark = screen.mark()
                save(kata_file, solution)
                screen.expect("PASSED", mark, timeout=120)
                time.sleep(0.5)
            before = kata_files(tmp_path)
            mark = screen.mark()
            screen.send("return x\n")  # r asks (or finds nothing to reset), e cancels; Enter only checks
            screen.expect(r"\b(PASSED|ERROR)\b", mark, timeout=120)
            time.sleep(0.5)
            assert kata_files(tmp_path) == before
            assert not (tmp_path / "katas" / "backups").exists()
            assert last_screen(screen).startswith("mlkatas watch  ·  split-heads")
        screen.send("q")
        assert screen.close() == 0
    state = json.loads((tmp_path / "katas" / ".mlkatas-state.json").read_text())
    assert state["current"] == "split-heads" and state["katas"]["split-heads"]["resets"] == []


def test_n_before_a_pass_asks_and_only_n_again_moves_on(tmp_path):
    order = list(CATALOG.katas)
    following = order[(order.index("split-heads") + 1) % len(order)]
    with watching(tmp_path, "split-heads") as screen:
        screen.expect("watching for saves", timeout=60)
        mark = screen.mark()
        screen.send("n")
        screen.expect(f"Press n again to leave split-heads unsolved and open {following}", mark, timeout=10)
        time.sleep(0.5)
        mark = screen.mark()
        screen.send("n")
        screen.expect(f"mlkatas watch  ·  {following}", mark, timeout=30)
        screen.send("q")
        assert screen.close() == 0


def test_l_then_a_number_and_enter_opens_that_kata(tmp_path):
    target = other_kata()
    number = list(CATALOG.katas).index(target) + 1
    with watching(tmp_path, "split-heads") as screen:
        screen.expect("watching for saves", timeout=60)
        mark = screen.mark()
        screen.send("l")
        screen.expect("Type a kata's number and press Enter to open it", mark, timeout=10)
        mark = screen.mark()
        screen.send(str(number))
        screen.expect(f"Enter opens #{number} {target}", mark, timeout=10)
        mark = screen.mark()
        screen.send("\r")
        screen.expect(f"mlkatas watch  ·  {target}", mark, timeout=30)
        assert (tmp_path / "katas" / f"{target}.py").is_file()
        screen.send("q")
        assert screen.close() == 0


def test_start_in_another_terminal_moves_the_watch_to_that_kata(tmp_path):
    target = other_kata()
    with watching(tmp_path, "split-heads") as screen:
        screen.expect("watching for saves", timeout=60)
        mark = screen.mark()
        started = mlkatas("start", target, cwd=tmp_path, env=watch_env(tmp_path))
        assert started.returncode == 0, started.stderr
        screen.expect(f"mlkatas watch  ·  {target}", mark, timeout=30)
        screen.expect(f"Now on {target}: it was started in another terminal", mark, timeout=5)
        screen.send("q")
        assert screen.close() == 0


def processes_of(workspace: Path) -> list[int]:
    """Processes whose environment names this workspace: the watch, its judge's zygote, and the
    child running a check (they inherit it)."""
    marker = f"MLKATAS_WORKSPACE={workspace}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile, or not ours to read
                pass
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds processes through /proc")
def test_q_quits_at_once_and_kills_a_check_that_hangs(tmp_path):
    kata_file = tmp_path / "katas" / "split-heads.py"
    with watching(tmp_path, "split-heads") as screen:
        screen.expect("watching for saves", timeout=60)
        mark = screen.mark()
        save(kata_file, SPLIT.solution)
        screen.expect("PASSED", mark, timeout=120)  # the judge is warm
        mark = screen.mark()
        save(kata_file, HANGS)
        screen.expect("checking…", mark, timeout=30)
        time.sleep(1.0)  # the check is running the code now
        assert len(processes_of(tmp_path / "katas")) >= 3  # the watch, the zygote, the hanging child
        mark = screen.mark()
        asked = time.monotonic()
        screen.send("q")
        screen.expect("Stopped watching", mark, timeout=20)
        assert screen.close() == 0
        took = time.monotonic() - asked
    assert took < 5.0, f"q took {took:.1f} s to stop the watch (the check's time limit is 20 s)"
    deadline = time.monotonic() + 5
    while processes_of(tmp_path / "katas") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_of(tmp_path / "katas") == []  # the check was killed, not left running
