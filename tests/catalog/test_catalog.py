"""The catalogue loads packs, reports malformed katas by file and field, and keeps the rest."""

import shutil
from pathlib import Path

import pytest

from mlkatas.catalog import BUILTIN_PACKS, Catalog, UnknownKata

SEED_SLUGS = [  # the pack's path (pack.toml): basic rearrangements, reductions and repeats, vision, MoE
    "batch-transpose", "swap-height-width", "cyclic-permute", "flatten-leading", "unflatten-leading",
    "stack-new-axis", "split-heads", "merge-heads",
    "global-average-pooling", "channel-max-pool", "tile-tensor", "sliding-windows",
    "patch-merging", "pixel-unshuffle", "pixel-shuffle",
    "top-k-gating", "group-tokens-by-expert", "batched-expert-forward", "moe-aggregate",
]


def test_builtin_pack_has_the_19_seed_katas_in_path_order(catalog):
    assert [k.slug for k in catalog] == SEED_SLUGS
    assert not catalog.problems


def test_every_kata_uses_the_site_vocabulary(catalog):
    for kata in catalog:
        assert kata.difficulty in ("easy", "medium", "hard")
        assert kata.time in ("<10 mins", "<30 mins", "<1 hr", ">1 hr")
        assert "einops" in kata.topics and len(kata.topics) <= 5


@pytest.fixture
def pack(tmp_path) -> Path:
    """A copy of split-heads in a fresh pack, to break on purpose."""
    dest = tmp_path / "mypack"
    shutil.copytree(BUILTIN_PACKS / "einops" / "split-heads", dest / "split-heads")
    shutil.copytree(BUILTIN_PACKS / "einops" / "split-heads", dest / "other-kata")
    toml = dest / "other-kata" / "kata.toml"
    toml.write_text(toml.read_text().replace('slug = "split-heads"', 'slug = "other-kata"'))
    return dest


def test_a_bad_field_is_reported_by_file_and_field_and_the_rest_loads(pack):
    toml = pack / "split-heads" / "kata.toml"
    toml.write_text(toml.read_text().replace('difficulty = "easy"', 'difficulty = "trivial"'))
    catalog = Catalog.load([pack])
    assert [k.slug for k in catalog] == ["other-kata"]
    (problem,) = catalog.problems
    assert problem.path == toml and problem.field == "difficulty"
    assert "trivial" in str(problem) and "easy, medium, hard" in str(problem)


@pytest.mark.parametrize(
    "mutate, field, words",
    [
        (lambda d: (d / "starter.py").unlink(), None, "missing file"),
        (lambda d: (d / "kata.toml").write_text("slug = [unclosed"), None, "invalid TOML"),
        (lambda d: (d / "solution.py").write_text("def f(:\n"), None, "syntax error on line 1"),
        (lambda d: (d / "solution.py").write_text("def other(x):\n    return x\n"), "entry", "does not define"),
        (
            lambda d: (d / "variants" / "wrong_x.py").write_text("def split_heads(x, h):\n    return x\n"),
            "expect",
            "# expect: KIND",
        ),
        (lambda d: (d / "variants" / "wrong_x.py").write_text("# expect: wrongness\n"), "expect", "unknown kind"),
        (
            lambda d: (d / "kata.toml").write_text(
                (d / "kata.toml").read_text().replace('time = "<10 mins"', 'time = "5 minutes"')
            ),
            "time",
            "<10 mins",
        ),
    ],
)
def test_malformed_katas_name_the_problem(pack, mutate, field, words):
    mutate(pack / "split-heads")
    catalog = Catalog.load([pack])
    assert "other-kata" in catalog and "split-heads" not in catalog
    (problem,) = catalog.problems
    assert problem.field == field
    assert words in str(problem)
    assert "split-heads" in str(problem.path)


def test_unknown_slug_suggests_the_nearest(catalog):
    with pytest.raises(UnknownKata) as info:
        catalog.get("split-head")
    assert info.value.suggestions[0] == "split-heads"
    assert "Did you mean: split-heads" in str(info.value)


def test_filters(catalog):
    assert {k.difficulty for k in catalog.filter(difficulty="medium")} == {"medium"}
    assert "split-heads" in [k.slug for k in catalog.filter(topic="EINOPS")]
    assert catalog.filter(topic="no-such-topic") == []
