"""The explanation search: what a learner reads about a wrong answer is specific, true on the case
it is shown with, and confirmed on a case whose axes are all larger than 1."""

from pathlib import Path

import pytest

from mlkatas.catalog.kata import KataFormatError
from mlkatas.engine.mistakes import load_mistakes

PACK = Path(__file__).parents[2] / "src/mlkatas/packs/einops"

PIXEL_SHUFFLE_RESHAPE = """
def pixel_shuffle(x, upscale_factor):
    b, c, h, w = x.shape
    s = upscale_factor
    return x.reshape(b, c // (s * s), h * s, w * s)
"""


def test_no_false_diagnosis_on_a_size_one_axis(judge):
    """A plain reshape on an H = 1 case gives what "(s1 h) instead of (h s1)" would: the claim about
    H is false there, and the judge must not make it."""
    verdict = judge.grade("pixel-shuffle", PIXEL_SHUFFLE_RESHAPE)
    suite = judge.suite("pixel-shuffle")
    failed = {c.name: c for c in verdict.cases if c.status == "failed"}
    flat_h = [c.name for c in suite.cases if c.sizes.get("h") == 1 and c.name in failed]
    assert flat_h, "the suite should hold a failing case with h = 1"
    for name in failed:
        assert "You merged H as (s1 h)" not in failed[name].message, name
    assert all("your output is x reshaped" in failed[name].message for name in flat_h)


def test_a_diagnosis_seen_only_on_size_one_cases_is_not_shown(judge):
    """With every axis above 1 the plain reshape is not (s1 h): one case alone cannot confirm it."""
    suite = judge.suite("pixel-shuffle")
    flat = next(c for c in suite.cases if c.hidden and c.sizes.get("h") == 1 and c.sizes["w"] > 1 and c.sizes["S"] > 1)
    verdict = judge.grade("pixel-shuffle", PIXEL_SHUFFLE_RESHAPE, seed=flat.seed)
    assert verdict.first_failure is not None
    assert "(s1 h)" not in verdict.first_failure.message


def _variant(slug: str, name: str) -> str:
    return (PACK / slug / "variants" / f"{name}.py").read_text()


@pytest.mark.parametrize(
    ("slug", "variant", "phrase"),
    [
        ("patch-merging", "wrong_swin_v1", "Two mistakes at once"),
        ("patch-merging", "wrong_swapped_grid", "two axes swapped, H/2 (axis 1) and W/2 (axis 2)"),
        ("top-k-gating", "wrong_unsorted_topk", "each row in descending order"),
        ("sliding-windows", "wrong_windows_from_end", "only shifted"),
        ("global-average-pooling", "wrong_fixed_window", "the mean over 4 x 4 windows"),
    ],
)
def test_every_failed_case_with_a_diagnosis_agrees(judge, slug, variant, phrase):
    """The same account is given wherever it holds, and the hidden cases get it too."""
    verdict = judge.grade(slug, _variant(slug, variant))
    explained = [c for c in verdict.cases if c.status == "failed" and phrase in c.message]
    assert any(c.hidden for c in explained), f"no hidden case says {phrase!r}: {verdict.summary}"


def test_swin_merging_names_both_mistakes(judge):
    message = judge.grade("patch-merging", _variant("patch-merging", "wrong_swin_v1")).first_failure.message
    assert "Swin's order" in message and "normalised the merged tokens before the projection" in message


def test_shifted_windows_say_how_far_on_each_case(judge):
    """Windows counted from the end start (N - K) % step positions late: each case says its own amount."""
    verdict = judge.grade("sliding-windows", _variant("sliding-windows", "wrong_windows_from_end"))
    suite = judge.suite("sliding-windows")
    for case, result in zip(suite.cases, verdict.cases, strict=True):
        if result.status != "failed" or "only shifted" not in result.message:
            continue
        late = (case.args[0].shape[1] - case.args[1]) % case.args[2]
        said = "position" if late == 1 else f"{late} positions"
        assert f"without its first {said} along N (axis 1)" in result.message, result.message


def test_combined_mistakes_must_name_declared_ones(tmp_path):
    cases = tmp_path / "cases.py"
    module = type("cases", (), {
        "MISTAKES": [("a", lambda x: x, "A."), ("b", lambda x: x, "B.")],
        "COMBINED_MISTAKES": [(("a", "c"), lambda x: x)],
    })
    with pytest.raises(KataFormatError, match=r"COMBINED_MISTAKES\[0\].*'c'"):
        load_mistakes(module, cases)
    module.COMBINED_MISTAKES = [(("a", "b"), lambda x: x)]
    combined = load_mistakes(module, cases)[-1]
    assert combined.name == "a + b" and combined.message == "Two mistakes at once: (1) A.; (2) B."
