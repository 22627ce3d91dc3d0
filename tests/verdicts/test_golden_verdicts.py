"""Golden verdicts: each folder here holds a submission and the verdict a learner gets for it,
pinned as `Verdict.to_dict()` (the way Exercism pins results.json). See README.md beside this file."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SITUATIONS = sorted(p for p in HERE.iterdir() if (p / "submission.py").is_file())
# Set to 1 to rewrite every expected.json from what the judge says now, instead of comparing.
UPDATE_ENV = "MLKATAS_UPDATE_VERDICTS"


def kata_of(folder: Path) -> str:
    """The kata a folder grades: its name is `<situation>--<kata slug>`."""
    return folder.name.split("--", 1)[1]


def pinned(verdict) -> dict:
    """What is pinned of a verdict: all of to_dict() but the time it took, which varies."""
    data = verdict.to_dict()
    del data["elapsed_ms"]
    return data


def as_text(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def local_judge(catalog):
    """One warm local judge for every situation: starting a zygote costs about 2 s."""
    from mlkatas.judge import Judge

    with Judge(sandbox="local", catalog=catalog) as judge:
        yield judge


def test_every_folder_is_a_situation():
    """A folder without a submission.py would be left out silently; its name says which kata it grades."""
    folders = sorted(p for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    assert folders == SITUATIONS, "a folder here has no submission.py"
    assert all("--" in p.name for p in SITUATIONS), "name folders `<situation>--<kata slug>`"


@pytest.mark.parametrize("folder", SITUATIONS, ids=[p.name for p in SITUATIONS])
def test_verdict_matches_the_pinned_one(local_judge, folder):
    limits_file = folder / "limits.json"
    limits = json.loads(limits_file.read_text()) if limits_file.exists() else None
    source = (folder / "submission.py").read_text()
    got = pinned(local_judge.grade(kata_of(folder), source, limits=limits))
    expected_file = folder / "expected.json"
    if os.environ.get(UPDATE_ENV) == "1":
        expected_file.write_text(as_text(got))
        pytest.skip(f"rewrote {expected_file.relative_to(HERE)}: read it before committing")
    if not expected_file.exists():
        pytest.fail(f"{folder.name} has no expected.json; run with {UPDATE_ENV}=1 to write it, then read it")
    expected = json.loads(expected_file.read_text())
    if got != expected:
        diff = "".join(difflib.unified_diff(as_text(expected).splitlines(True), as_text(got).splitlines(True),
                                            "expected.json", "verdict now", n=2))
        pytest.fail(f"the verdict for {folder.name} changed (if intended, see tests/verdicts/README.md):\n{diff}",
                    pytrace=False)
