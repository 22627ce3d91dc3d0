"""Which workspace a command uses: the one in this folder or above it, as git finds its
repository; MLKATAS_WORKSPACE names one directly; and a command that has to start a new one
says so, with its absolute path (on stderr, and on a watch's first screen)."""

from __future__ import annotations

import json
import sys

from mlkatas.devtools.bench_watch import PtyProcess
from tests._practice import base_env, mlkatas, mlkatas_json

STATE = ".mlkatas-state.json"


def hints_in(workspace) -> dict:
    return {slug: r["hints"] for slug, r in json.loads((workspace / STATE).read_text())["katas"].items()}


def test_a_subfolder_uses_the_workspace_above_it(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    started = mlkatas("start", "split-heads", cwd=project)
    assert started.returncode == 0
    assert f"New workspace: {project / 'katas'}" in started.stderr

    deeper = project / "notes" / "deeper"
    deeper.mkdir(parents=True)
    hinted = mlkatas("hint", "split-heads", cwd=deeper)
    assert hinted.returncode == 0 and "hint 1 of" in hinted.stdout
    assert "New workspace" not in hinted.stderr
    assert hints_in(project / "katas") == {"split-heads": 1}  # recorded above, not in a new one here
    assert not (deeper / "katas").exists() and not (project / "notes" / "katas").exists()
    assert "New workspace" not in mlkatas("start", "split-heads", cwd=deeper).stderr


def test_a_sibling_folder_says_it_starts_a_new_workspace(tmp_path):
    project, sibling = tmp_path / "project", tmp_path / "sibling"
    project.mkdir()
    sibling.mkdir()
    mlkatas("start", "split-heads", cwd=project)

    # reading commands start nothing
    assert mlkatas_json("progress", cwd=sibling) == {"solved": [], "attempted": []}
    assert "No workspace here yet" in mlkatas("progress", cwd=sibling).stdout
    assert not (sibling / "katas").exists()

    hinted = mlkatas("hint", "split-heads", cwd=sibling)
    assert hinted.returncode == 0
    new = sibling.resolve() / "katas"
    assert f"New workspace: {new} " in hinted.stderr  # absolute, whatever folder the command ran in
    assert "MLKATAS_WORKSPACE" in hinted.stderr
    assert hints_in(new) == {"split-heads": 1} and hints_in(project / "katas") == {"split-heads": 0}
    again = mlkatas("hint", "split-heads", cwd=sibling)
    assert "New workspace" not in again.stderr  # said once, when it was made

    # MLKATAS_WORKSPACE still names one directly, from anywhere
    env = base_env(MLKATAS_WORKSPACE=str(project / "katas"))
    assert mlkatas_json("progress", cwd=sibling, env=env) == {"solved": [], "attempted": ["split-heads"]}


def test_json_output_stays_json_when_a_workspace_is_made(tmp_path):
    result = mlkatas("start", "split-heads", "--json", cwd=tmp_path)
    assert json.loads(result.stdout)["slug"] == "split-heads"
    assert "New workspace" in result.stderr


def test_watch_in_a_folder_without_a_workspace_says_where_it_made_one(tmp_path):
    sibling = tmp_path / "sibling"
    sibling.mkdir()
    pty = PtyProcess([sys.executable, "-m", "mlkatas", "watch", "split-heads", "--manual"],
                     cwd=sibling, env=base_env(TERM="xterm"), columns=200, rows=40)
    try:
        pty.expect(r"manual: press Enter to check", timeout=120)  # the first screen
        assert f"New workspace: {sibling.resolve() / 'katas'}" in pty.text
        pty.send("q")
        assert pty.close(timeout=30) == 0
    finally:
        if pty.proc.poll() is None:
            pty.proc.kill()
            pty.close()
    assert (sibling / "katas" / STATE).is_file()
