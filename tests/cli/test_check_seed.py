"""`check --seed N` runs one case like a hidden one with its values shown: the inputs too, as
its help says, so the learner can redo the case by hand."""

from __future__ import annotations

from mlkatas.catalog import Catalog
from tests._practice import TINY_WRONG, base_env, mlkatas, write_tiny_pack

SEED = 7


def test_check_seed_prints_the_inputs_values_before_the_verdict(tmp_path):
    from mlkatas.judge import Judge

    pack = write_tiny_pack(tmp_path)
    env = base_env(MLKATAS_PACKS=str(pack), NO_COLOR="1")
    mine = tmp_path / "mine.py"
    mine.write_text(TINY_WRONG)
    shown = mlkatas("check", "tiny-transpose", str(mine), "--seed", str(SEED), cwd=tmp_path, env=env)
    assert shown.returncode == 1
    judge = Judge(sandbox="local", catalog=Catalog.load([pack]))  # builds the suite only: no child runs
    x = judge.suite("tiny-transpose").analogous(SEED)[0].args[0]
    lines = shown.stdout.splitlines()
    start = lines.index("inputs")
    assert lines[start + 1] == f"x: int64 ({x.shape[0]}, {x.shape[1]})"
    printed = [[int(v) for v in line.split()] for line in lines[start + 2:start + 2 + x.shape[0]]]
    assert printed == x.tolist()
    assert shown.stdout.index("inputs") < shown.stdout.index("FAILED")
