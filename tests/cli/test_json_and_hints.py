"""`list --json` says what is solved and started, `show` and `hint` take `--json`, and the
reference is offered without `--give-up` once a kata is solved."""

from __future__ import annotations

import json

from tests._practice import TINY_SOLUTION, base_env, mlkatas, mlkatas_json, write_tiny_pack

LISTING = {"slug", "title", "difficulty", "time", "topics", "solved", "started"}


def by_slug(listing: list[dict]) -> dict:
    assert all(set(k) == LISTING for k in listing)
    return {k["slug"]: (k["solved"], k["started"]) for k in listing}


def test_list_json_says_solved_and_started_per_kata(tmp_path):
    pack = write_tiny_pack(tmp_path)
    env = base_env(MLKATAS_PACKS=str(pack))
    assert by_slug(mlkatas_json("list", cwd=tmp_path, env=env))["tiny-transpose"] == (False, False)
    mlkatas("start", "tiny-transpose", cwd=tmp_path, env=env)
    listing = by_slug(mlkatas_json("list", cwd=tmp_path, env=env))
    assert listing["tiny-transpose"] == (False, True) and listing["split-heads"] == (False, False)
    (tmp_path / "katas" / "tiny-transpose.py").write_text(TINY_SOLUTION)
    assert mlkatas("check", "tiny-transpose", cwd=tmp_path, env=env).returncode == 0
    assert by_slug(mlkatas_json("list", cwd=tmp_path, env=env))["tiny-transpose"] == (True, True)


def test_show_json(tmp_path):
    shown = mlkatas_json("show", "split-heads", cwd=tmp_path)
    assert set(shown) == {"slug", "title", "difficulty", "time", "topics", "entry", "signature", "description"}
    assert shown["slug"] == "split-heads" and shown["signature"] == "split_heads(x, num_heads)"
    assert shown["entry"] == "split_heads" and "head-major" in shown["description"]


def test_hint_json_reveals_one_more_each_time(tmp_path):
    pack = write_tiny_pack(tmp_path)
    env = base_env(MLKATAS_PACKS=str(pack))
    answers = [mlkatas_json("hint", "tiny-transpose", cwd=tmp_path, env=env) for _ in range(3)]
    assert [(a["revealed"], a["total"]) for a in answers] == [(1, 2), (2, 2), (2, 2)]
    assert answers[0] == {"slug": "tiny-transpose", "revealed": 1, "total": 2, "hints": ["Swap the two axes."]}
    assert answers[2]["hints"] == ["Swap the two axes.", "`x.transpose(0, 1)`"]


def test_no_give_up_offered_once_the_kata_is_solved(tmp_path):
    pack = write_tiny_pack(tmp_path)
    env = base_env(MLKATAS_PACKS=str(pack))
    mlkatas("start", "tiny-transpose", cwd=tmp_path, env=env)
    for _ in range(2):
        mlkatas("hint", cwd=tmp_path, env=env)
    unsolved = mlkatas("hint", cwd=tmp_path, env=env).stdout
    assert "No more hints" in unsolved and "solution tiny-transpose --give-up" in unsolved

    (tmp_path / "katas" / "tiny-transpose.py").write_text(TINY_SOLUTION)
    assert mlkatas("check", "tiny-transpose", cwd=tmp_path, env=env).returncode == 0
    solved = mlkatas("hint", cwd=tmp_path, env=env).stdout
    assert "No more hints" in solved and "--give-up" not in solved
    assert "solution tiny-transpose` shows the reference" in solved
    assert json.loads(mlkatas("progress", "--json", cwd=tmp_path, env=env).stdout)["solved"] == ["tiny-transpose"]
