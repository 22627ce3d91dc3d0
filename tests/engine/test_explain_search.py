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
    assert all(". Your output is x reshaped" in failed[name].message for name in flat_h)


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


def test_a_swap_true_only_on_square_cases_is_not_shown(tmp_path):
    """tiny-transpose written with reshape: on a 2 x 2 case the output is the transpose of the
    expected one by coincidence; no case with H != W confirms it, so no case says so, and the
    learner reads what did happen."""
    from mlkatas.catalog import Catalog
    from mlkatas.judge import Judge
    from tests._practice import TINY_WRONG, write_tiny_pack

    with Judge(sandbox="local", catalog=Catalog.load([write_tiny_pack(tmp_path)]), workers=1) as judge:
        suite = judge.suite("tiny-transpose")
        square = [c for c in suite.cases if c.args[0].shape[0] == c.args[0].shape[1]]
        assert square, "the tiny pack should hold a square case"
        verdict = judge.grade("tiny-transpose", TINY_WRONG)
        alone = judge.grade("tiny-transpose", TINY_WRONG, seed=square[0].seed)
    assert all("swapped" not in c.message for c in verdict.cases + alone.cases)
    assert verdict.first_failure.message.startswith(
        "output holds the right elements in the wrong places (4 of 6 positions differ). Your output is x reshaped: "
    )


BATCH_T = "def batch_transpose(x):\n    return x.T\n"  # every axis reversed, not the last two swapped


def test_the_reading_of_a_wrong_shape_needs_a_case_with_every_axis_above_one(judge):
    suite = judge.suite("batch-transpose")
    sizes = {c.name: sorted(c.sizes.values()) for c in suite.cases}
    distinct = next(c for c in suite.cases if c.hidden and len(set(sizes[c.name])) == 3 and sizes[c.name][0] > 1)
    flat = next(c for c in suite.cases if c.hidden and c.sizes["H"] == 1 and len(set(c.sizes.values())) == 3)
    told = judge.grade("batch-transpose", BATCH_T, seed=distinct.seed).first_failure.message
    assert "Read by size against the input's axes, yours are (w, h, b) where (b, w, h) was expected" in told
    assert "every axis reversed" in told
    untold = judge.grade("batch-transpose", BATCH_T, seed=flat.seed).first_failure.message
    assert "Read by size" not in untold  # (w, h, b) here rests on H = 1, which any size-1 axis would fit


def test_two_diagnoses_read_as_sentences_not_a_chain_of_colons():
    from mlkatas.engine.compare import Mismatch
    from mlkatas.engine.diagnosis import Diagnosis
    from mlkatas.engine.explain_search import diagnosed_message

    never = lambda case, expected, got: False  # noqa: E731 - not tested here
    mismatch = Mismatch("shape", "output has shape (2, 3), expected (3, 2)")
    said = diagnosed_message(mismatch, [
        Diagnosis("a", "Read by size, yours are (w, h): the right axes in another order", never),
        Diagnosis("b", "your output is x reshaped: reshape keeps the memory order", never),
    ]).message
    assert said == ("output has shape (2, 3), expected (3, 2). Read by size, yours are (w, h): the right axes in "
                    "another order. Your output is x reshaped: reshape keeps the memory order")
    assert mismatch.detail["diagnosis"] == ["a", "b"]
