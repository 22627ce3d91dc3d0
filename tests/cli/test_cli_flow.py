"""The practice flow through the real command line: start, check, hint, solution, reset, next,
progress, as a newcomer would type them in an empty folder."""

from __future__ import annotations

import json
import re

import pytest

from mlkatas.catalog import Catalog
from tests._practice import TINY_WRONG, base_env, mlkatas, mlkatas_json, write_tiny_pack

CATALOG = Catalog.load()
SPLIT = CATALOG.get("split-heads")
STATE = ".mlkatas-state.json"


def state_of(folder) -> dict:
    return json.loads((folder / "katas" / STATE).read_text())


def test_a_newcomer_starts_solves_and_sees_progress(tmp_path):
    order = [k["slug"] for k in mlkatas_json("list", cwd=tmp_path)]

    started = mlkatas_json("start", cwd=tmp_path)  # no slug: the first kata
    assert started["slug"] == order[0]

    shown = mlkatas("start", "split-heads", cwd=tmp_path)
    assert shown.returncode == 0
    path = tmp_path / "katas" / "split-heads.py"
    assert "katas/split-heads.py" in shown.stdout and "Multi-Head Attention" in shown.stdout
    assert "raise NotImplementedError" in path.read_text()

    failing = mlkatas("check", "split-heads", cwd=tmp_path)
    assert failing.returncode == 1
    assert "ERROR" in failing.stdout and "NotImplementedError" in failing.stdout

    path.write_text(SPLIT.solution)
    passing = mlkatas("check", "split-heads", cwd=tmp_path)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "PASSED" in passing.stdout and "Solved" in passing.stdout and "mlkatas next" in passing.stdout

    progress = mlkatas_json("progress", cwd=tmp_path)
    assert progress == {"solved": ["split-heads"], "attempted": [s for s in order[:1] if s != "split-heads"]}
    text = mlkatas("progress", cwd=tmp_path).stdout
    assert "solved" in text and f"1/{len(order)}" in text and "by difficulty" in text and "by topic" in text
    listing = mlkatas("list", cwd=tmp_path).stdout
    assert any("✓" in line and "split-heads" in line for line in listing.splitlines())

    record = state_of(tmp_path)["katas"]["split-heads"]
    assert record["attempts"] == 2 and record["solved"] and record["last_status"] == "passed"

    # the workspace is found from a subfolder, too
    sub = tmp_path / "notes"
    sub.mkdir()
    assert mlkatas_json("progress", cwd=sub)["solved"] == ["split-heads"]


def test_start_never_overwrites_and_next_moves_on(tmp_path):
    first = mlkatas_json("start", "split-heads", cwd=tmp_path)
    path = tmp_path / "katas" / "split-heads.py"
    assert first == {"slug": "split-heads", "path": str(path.resolve())}
    path.write_text("# my work\n")
    again = mlkatas("start", "split-heads", cwd=tmp_path)
    assert again.returncode == 0 and "already there" in again.stdout
    assert path.read_text() == "# my work\n"

    order = list(CATALOG.katas)
    moved = mlkatas_json("next", cwd=tmp_path)
    assert moved["slug"] == order[(order.index("split-heads") + 1) % len(order)]
    assert (tmp_path / "katas" / f"{moved['slug']}.py").is_file()


def test_hints_solution_and_reset(tmp_path):
    mlkatas("start", "split-heads", cwd=tmp_path)
    first = mlkatas("hint", "split-heads", cwd=tmp_path)
    assert "hint 1 of 2" in first.stdout and "hint 2 of" not in first.stdout
    second = mlkatas("hint", cwd=tmp_path)  # no slug: the current kata
    assert "hint 1 of 2" in second.stdout and "hint 2 of 2" in second.stdout
    third = mlkatas("hint", "split-heads", cwd=tmp_path)
    assert "No more hints" in third.stdout
    assert state_of(tmp_path)["katas"]["split-heads"]["hints"] == 2

    refused = mlkatas("solution", "split-heads", cwd=tmp_path)
    assert refused.returncode == 1 and "--give-up" in refused.stdout and "rearrange(x" not in refused.stdout
    given = mlkatas("solution", "split-heads", "--give-up", cwd=tmp_path)
    assert given.returncode == 0 and "def split_heads" in given.stdout
    assert state_of(tmp_path)["katas"]["split-heads"]["gave_up"]
    assert mlkatas("solution", "split-heads", cwd=tmp_path).returncode == 0  # seen once, shown again

    path = tmp_path / "katas" / "split-heads.py"
    path.write_text("# attempt 1\n")
    reset = mlkatas("reset", "split-heads", cwd=tmp_path)
    assert reset.returncode == 0 and "backups" in reset.stdout
    assert "raise NotImplementedError" in path.read_text()
    backups = list((tmp_path / "katas" / "backups").glob("split-heads-*.py"))
    assert [b.read_text() for b in backups] == ["# attempt 1\n"]


@pytest.mark.parametrize(
    "content, words",
    [("{ this is not json", "not valid JSON"), ('{"settings": {}}', "not an mlkatas state file")],
)
def test_a_broken_progress_file_stops_commands_and_stays_as_it_was(tmp_path, content, words):
    (tmp_path / "katas").mkdir()
    state = tmp_path / "katas" / STATE
    state.write_text(content)
    for args in (["progress"], ["start", "split-heads"], ["hint", "split-heads"], ["check", "split-heads"]):
        result = mlkatas(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert words in result.stderr and STATE in result.stderr, result.stderr
    assert state.read_text() == content
    assert not (tmp_path / "katas" / "split-heads.py").exists()


def test_checking_a_file_outside_the_workspace_keeps_the_old_contract(tmp_path):
    pack = write_tiny_pack(tmp_path)
    env = base_env(MLKATAS_PACKS=str(pack))
    wrong = tmp_path / "wrong.py"
    wrong.write_text(TINY_WRONG)
    result = mlkatas("check", "tiny-transpose", str(wrong), cwd=tmp_path, env=env)
    assert result.returncode == 1
    # the leading failure (the most specific one, not always the example): its diagnosis, its
    # inputs, and a picture of expected versus got (the example's, drawn beside a hidden case)
    assert "rearranged" in result.stdout and re.search(r"inputs: x: int64 \(\d, \d\)", result.stdout)
    assert "expected (3, 2), got (3, 2)" in result.stdout and "cells differ" in result.stdout
    assert not (tmp_path / "katas").exists()  # grading a loose file records nothing

    assert mlkatas("check", "no-such-kata", str(wrong), cwd=tmp_path).returncode == 2
    missing = mlkatas("check", "split-heads", cwd=tmp_path)
    assert missing.returncode == 2 and "mlkatas start split-heads" in missing.stderr


def test_help_reads_well(tmp_path):
    top = mlkatas("--help", cwd=tmp_path)
    assert top.returncode == 0 and "mlkatas start" in top.stdout and "Practice" in top.stdout
    for command in ("start", "watch", "check", "hint", "next", "solution", "reset", "progress", "list", "show"):
        result = mlkatas(command, "--help", cwd=tmp_path)
        assert result.returncode == 0 and "Usage: mlkatas " + command in " ".join(result.stdout.split()), command
    watch = " ".join(mlkatas("watch", "--help", cwd=tmp_path).stdout.split())
    assert "--poll" in watch and "--manual" in watch and "q quit" in watch
