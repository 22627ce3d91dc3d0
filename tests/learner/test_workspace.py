"""The workspace: kata files and the progress file that must never be lost or silently reset."""

from __future__ import annotations

import json

import pytest

from mlkatas.learner.progress import kata_on, kata_to_work_on
from mlkatas.learner.workspace import (
    FORMAT,
    STATE_FILE,
    Workspace,
    WorkspaceError,
    is_starter,
    starter_body,
    starter_file,
)

ORDER = ["a", "b", "c", "d"]


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.delenv("MLKATAS_WORKSPACE", raising=False)
    return Workspace(tmp_path / "katas")


def test_start_writes_the_file_once_and_records_it(ws):
    path, created = ws.start("a", "def f(): ...\n")
    assert created and path.read_text() == "def f(): ...\n"
    path.write_text("my work\n")
    again, created = Workspace(ws.root).start("a", "def f(): ...\n")
    assert again == path and not created
    assert path.read_text() == "my work\n"  # never overwritten
    state = json.loads((ws.root / STATE_FILE).read_text())
    assert state["tool"] == "mlkatas" and state["format"] == FORMAT
    assert state["current"] == "a" and state["katas"]["a"]["started"]


def test_checks_count_attempts_and_the_first_pass_solves(ws):
    ws.start("a", "x")
    assert ws.record_check("a", "failed") is False
    assert ws.record_check("a", "passed") is True
    assert ws.record_check("a", "passed") is False  # solved once, not again
    fresh = Workspace(ws.root)
    assert fresh.record("a")["attempts"] == 3
    assert fresh.solved() == ["a"] and fresh.attempted() == []
    fresh.start("b", "y")
    assert fresh.attempted() == ["b"]


def test_hints_are_revealed_one_at_a_time_up_to_the_last(ws):
    assert [ws.reveal_hint("a", 2) for _ in range(3)] == [1, 2, 2]
    assert Workspace(ws.root).record("a")["hints"] == 2


def test_reset_keeps_the_old_version_as_a_backup(ws):
    path, _ = ws.start("a", "starter\n")
    assert ws.reset("a", "starter\n") is None  # nothing of yours to keep
    path.write_text("attempt 1\n")
    backup = ws.reset("a", "starter\n")
    assert backup is not None and backup.read_text() == "attempt 1\n"
    assert path.read_text() == "starter\n"
    resets = Workspace(ws.root).record("a")["resets"]
    assert [r["backup"] is None for r in resets] == [True, False]


def test_next_and_first_unsolved_follow_the_catalogue_order(ws):
    assert ws.first_unsolved(ORDER) == "a"
    ws.record_check("a", "passed")
    ws.record_check("c", "passed")
    assert ws.first_unsolved(ORDER) == "b"
    assert ws.next_unsolved(ORDER, "b") == "d"
    assert ws.next_unsolved(ORDER, "d") == "b"  # wraps round
    for slug in ORDER:
        ws.record_check(slug, "passed")
    assert ws.first_unsolved(ORDER) is None and ws.next_unsolved(ORDER, "a") is None


def test_the_kata_on_is_the_current_one_solved_or_not(ws):
    assert kata_on(None, ORDER) == "a"  # no workspace yet: the first kata
    assert kata_on(ws, ORDER) == "a"  # nothing started: the first unsolved
    ws.record_check("a", "passed")
    assert kata_on(ws, ORDER) == "b"
    ws.start("c", "x")
    ws.record_check("c", "passed")
    assert kata_on(ws, ORDER) == "c"  # hint, solution, reset: the kata just solved
    ws.set_current("removed-from-the-pack")
    assert kata_on(ws, ORDER) == "b"


def test_the_kata_to_work_on_moves_past_a_solved_one(ws):
    assert kata_to_work_on(ws, ORDER) == "a"
    ws.start("c", "x")
    assert kata_to_work_on(ws, ORDER) == "c"  # the current one while it is unsolved
    ws.record_check("c", "passed")
    assert kata_to_work_on(ws, ORDER) == "d"  # then the next unsolved after it
    ws.record_check("d", "passed")
    assert kata_to_work_on(ws, ORDER) == "a"  # wrapping round
    for slug in ORDER:
        ws.record_check(slug, "passed")
    assert kata_to_work_on(ws, ORDER) == "c"  # all solved: stay where you are
    ws.set_current("removed-from-the-pack")
    assert kata_to_work_on(ws, ORDER) == "a"
    assert kata_to_work_on(ws, []) is None


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "not valid JSON"),
        ('{"some": "other tool"}', "not an mlkatas state file"),
        ('["a list"]', "not an mlkatas state file"),
        ('{"tool": "mlkatas", "format": 99, "katas": {}}', "newer mlkatas"),
        ('{"tool": "mlkatas", "format": 1, "katas": {"a": {"attempts": "many"}}}', "attempts"),
    ],
)
def test_a_bad_state_file_is_reported_and_left_alone(ws, content, words):
    ws.root.mkdir(parents=True)
    state = ws.root / STATE_FILE
    state.write_text(content)
    with pytest.raises(WorkspaceError) as caught:
        ws.start("a", "x")
    assert words in str(caught.value) and str(state) in str(caught.value)
    assert state.read_text() == content
    assert not (ws.root / "a.py").exists()


def test_unknown_keys_survive_a_rewrite(ws):
    ws.root.mkdir(parents=True)
    (ws.root / STATE_FILE).write_text(
        json.dumps({"tool": "mlkatas", "format": 1, "theme": "dark", "katas": {"a": {"attempts": 1, "streak": 3}}})
    )
    ws.record_check("a", "passed")
    state = json.loads((ws.root / STATE_FILE).read_text())
    assert state["theme"] == "dark" and state["katas"]["a"]["streak"] == 3
    assert state["katas"]["a"]["attempts"] == 2


def test_found_from_a_subfolder_or_named_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("MLKATAS_WORKSPACE", raising=False)
    ws = Workspace(tmp_path / "katas")
    ws.start("a", "x")
    deep = tmp_path / "notes" / "deeper"
    deep.mkdir(parents=True)
    assert Workspace.find(deep).root == ws.root
    assert Workspace.find(ws.root).root == ws.root  # from inside katas/ itself
    monkeypatch.setenv("MLKATAS_WORKSPACE", str(tmp_path / "other"))
    assert Workspace.find(deep).root == tmp_path / "other"


def test_a_new_workspace_is_made_here_and_announced_once(tmp_path, monkeypatch):
    monkeypatch.delenv("MLKATAS_WORKSPACE", raising=False)
    made: list = []
    sibling = tmp_path / "sibling"
    sibling.mkdir()
    Workspace(tmp_path / "project" / "katas").start("a", "x")  # beside, not above: not found from the sibling
    ws = Workspace.find_or_new(sibling, on_create=made.append)
    assert ws.root == sibling.resolve() / "katas" and ws.root.is_absolute()
    assert not ws.exists and made == []  # nothing written yet, nothing said
    ws.reveal_hint("a", 2)
    ws.reveal_hint("a", 2)
    assert ws.exists and made == [ws]  # said once, by the write that made it
    assert Workspace.find_or_new(sibling, on_create=made.append).root == ws.root and made == [ws]


class StubKata:
    """What starter_file reads of a kata."""

    slug, title, difficulty, time, entry = "a", "A", "easy", "<10 mins", "f"
    starter = "# the starter's own comment\n\nimport torch\n\n\ndef f(x):\n    raise NotImplementedError\n"


def test_starter_files_name_commands_the_way_mlkatas_was_started():
    header = starter_file(StubKata, "./mlkatas.sh").split("\n\n")[0]
    assert "`./mlkatas.sh check a`" in header and "`./mlkatas.sh watch`" in header
    assert "`./mlkatas.sh hint a`" in header and "`mlkatas " not in header


def test_a_starter_is_recognised_whichever_command_its_header_names(ws):
    for prog in ("mlkatas", "./mlkatas.sh", "../mlkatas/mlkatas.sh"):
        assert is_starter(starter_file(StubKata, prog).encode(), StubKata)
    assert starter_body(starter_file(StubKata, "x")) == StubKata.starter  # the starter's own comment stays
    edited = starter_file(StubKata, "x").replace("raise NotImplementedError", "return x")
    assert not is_starter(edited.encode(), StubKata)
    assert not is_starter(b"\xff\xfe", StubKata)

    # reset keeps a backup of work, not of a starter written by another way of starting mlkatas
    path, _ = ws.start("a", starter_file(StubKata, "mlkatas"))
    assert ws.reset("a", starter_file(StubKata, "./mlkatas.sh")) is None
    path.write_text(starter_file(StubKata, "./mlkatas.sh").replace("raise NotImplementedError", "return x"))
    assert ws.reset("a", starter_file(StubKata, "./mlkatas.sh")) is not None
