"""Structural comparison: the first difference found names the mistake."""

import einops
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkatas.engine.compare import compare_output
from mlkatas.engine.explain import explain_rearrangement
from mlkatas.engine.tolerance import Tolerance

EXACT = Tolerance(exact=True)
LOOSE = Tolerance()


def kind(expected, got, tol=LOOSE, names=()):
    mismatch = compare_output(expected, got, tol, hidden=False, names=names)
    return mismatch.kind if mismatch else None


def test_order_type_shape_dtype_values():
    e = torch.arange(6.0).reshape(2, 3)
    assert kind(e, e.clone()) is None
    assert kind(e, e.numpy()) == "type"
    assert kind(e, e.t()) == "shape"
    assert kind(e, e.double()) == "dtype"
    assert kind(e, e + 1) == "values"
    assert kind(e, e.flip(1)) == "rearranged"


def test_tuple_outputs_are_checked_item_by_item_with_their_names():
    w, i = torch.rand(3, 2), torch.tensor([[0, 1], [2, 0], [1, 2]])
    assert kind((w, i), (w, i)) is None
    assert kind((w, i), [w, i]) is None  # a list of the same items is accepted
    assert kind((w, i), w) == "type"
    assert kind((w, i), (w,)) == "type"
    mismatch = compare_output((w, i), (w, i.flip(1)), LOOSE, False, ("weights", "indices"))
    assert mismatch.kind == "rearranged" and "output[1] (indices)" in mismatch.message


@pytest.mark.parametrize(
    "dtype, noise, ok",
    [
        (torch.float32, 1e-7, True), (torch.float32, 1e-3, False),
        (torch.float64, 1e-12, True), (torch.float64, 1e-5, False),
        (torch.bfloat16, 4e-3, True), (torch.bfloat16, 1e-1, False),
    ],
)
def test_tolerance_follows_the_dtype(dtype, noise, ok):
    e = (torch.rand(50, dtype=torch.float64) + 1).to(dtype)
    got = (e.double() * (1 + noise)).to(dtype)
    assert (kind(e, got) is None) == ok


def test_exact_katas_allow_no_rounding_and_integers_are_always_exact():
    e = torch.rand(10)
    assert kind(e, e + 1e-7, EXACT) == "values"
    i = torch.arange(10)
    assert kind(i, i + 1) == "values"


def test_nan_matches_nan():
    e = torch.tensor([1.0, float("nan")])
    assert kind(e, e.clone(), EXACT) is None


def test_hidden_messages_do_not_reveal_values():
    e = torch.tensor([0.123456, 2.0])
    got = torch.tensor([0.654321, 2.0])
    hidden = compare_output(e, got, LOOSE, hidden=True).message
    shown = compare_output(e, got, LOOSE, hidden=False).message
    assert "0.123456" in shown and "0.123456" not in hidden and "0.654321" not in hidden
    assert "index (0,)" in hidden


PERMS = st.permutations(["b", "c", "h", "w"])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(2, 5), st.integers(2, 5), PERMS)
def test_any_axis_permutation_is_explained(b, c, h, w, order):
    x = torch.randn(b, c, h, w)
    wrong = " ".join(order)
    got = einops.rearrange(x, f"b c h w -> {wrong}")
    expected = einops.rearrange(x, "b c h w -> b c w h")
    sentence = explain_rearrangement("b c h w -> b c w h", x, got, {})
    if torch.equal(got, expected) or got.shape != expected.shape:
        return
    assert sentence is not None
    found = sentence.split("rearrange(x, '")[1].split("'")[0]
    assert torch.equal(einops.rearrange(x, found), got)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(2, 3))
def test_pixel_shuffle_orders_are_told_apart(b, c, h, w, s):
    x = torch.randn(b, c * s * s, h, w)
    pattern = "b (c s1 s2) h w -> b c (h s1) (w s2)"
    got = einops.rearrange(x, "b (s1 s2 c) h w -> b c (h s1) (w s2)", s1=s, s2=s)
    sentence = explain_rearrangement(pattern, x, got, {"s1": s, "s2": s})
    if c == 1:
        assert sentence is None  # the same elements in the same places: nothing to explain
    else:
        assert "b (s1 s2 c) h w -> b c (h s1) (w s2)" in sentence


def test_reshape_instead_of_permute_is_named():
    x = torch.randn(2, 3, 4)
    sentence = explain_rearrangement("b h w -> b w h", x, x.reshape(2, 4, 3), {})
    assert "reshaped" in sentence and "permute" in sentence


def test_values_that_are_not_a_rearrangement_get_no_explanation():
    x = torch.randn(2, 3, 4)
    assert explain_rearrangement("b h w -> b w h", x, torch.randn(2, 4, 3), {}) is None
