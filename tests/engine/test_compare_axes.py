"""A wrong shape says which of the input's axes were kept, dropped or moved, in the kata's axis
names where its einops pattern gives them, and says nothing where the sizes leave it uncertain."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from einops import reduce

from mlkatas.catalog import Catalog
from mlkatas.engine.casegen import Case
from mlkatas.engine.compare import compare_output
from mlkatas.engine.diagnosis import Failure
from mlkatas.engine.explain_search import diagnosed_message
from mlkatas.engine.explain_shape import shape_reading_candidates
from mlkatas.engine.lead import GENERIC_REPORTS
from mlkatas.engine.tolerance import Tolerance


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def shape_message(catalog, slug: str, args: tuple, expected, got, sizes: dict | None = None) -> str:
    """The message of a wrong shape with the reading of its axes found on this case (its
    confirmation on a second case is the search's: test_explain_search.py)."""
    mismatch = compare_output(expected, got, Tolerance(), False)
    assert mismatch is not None and mismatch.kind == "shape"
    suite = SimpleNamespace(kata=catalog.get(slug))
    failure = Failure(suite, Case(args=args, sizes=sizes or {}), expected, got, mismatch, Tolerance())
    return diagnosed_message(mismatch, list(shape_reading_candidates(failure))).message


def test_x_T_on_a_batch_is_read_as_every_axis_reversed_in_the_patterns_names(catalog):
    x = torch.rand(2, 3, 5)
    message = shape_message(catalog, "batch-transpose", (x,), x.transpose(1, 2), x.permute(2, 1, 0))  # what x.T does
    assert message.startswith("output has shape (5, 3, 2), expected (2, 5, 3). ")
    assert "yours are (w, h, b) where (b, w, h) was expected" in message
    assert "every axis reversed, as `.T` does" in message


def test_global_pooling_that_keeps_h_instead_of_c_says_c_is_missing(catalog):
    x = torch.rand(4, 512, 7, 6)
    got = reduce(x, "b c h w -> b h", "mean")
    message = shape_message(catalog, "global-average-pooling", (x,), x.mean((2, 3)), got)
    assert "yours are (axis 0, axis 2) where (axis 0, axis 1) was expected" in message
    assert "axis 1 (size 512) is missing; axis 2 should not be there" in message


def test_coinciding_sizes_give_no_story(catalog):
    # H == W: the transposed batch reads as (h or w, h or w, b); nothing certain to say
    x = torch.rand(2, 3, 3)
    message = shape_message(catalog, "batch-transpose", (x,), x.transpose(1, 2), x.permute(2, 1, 0))  # what x.T does
    assert GENERIC_REPORTS["shape"].fullmatch(message), message
    # unfold as it comes: expected (B*W, K, D) = (9, 3, 5) only looks like x's axes (1, 0, 2) by chance
    x = torch.rand(3, 9, 5)
    got = x.unfold(1, 3, 3)
    expected = got.permute(0, 1, 3, 2).reshape(9, 3, 5)
    message = shape_message(catalog, "sliding-windows", (x, 3, 3), expected, got)
    assert GENERIC_REPORTS["shape"].fullmatch(message), message


def test_an_axis_of_the_wrong_size_is_named_where_it_stands_not_called_missing(catalog):
    x = torch.rand(2, 7, 12)  # split-heads: b n (h d) with h = 3, d = 4
    expected = x.reshape(2, 7, 3, 4).permute(0, 2, 1, 3)
    widened = x.repeat(1, 1, 64).reshape(2, 7, 3, 256).permute(0, 2, 1, 3)  # 64 times too wide
    message = shape_message(catalog, "split-heads", (x, 3), expected, widened, sizes={"h": 3})
    assert "axis 3 has size 256 (64 × d) where d (size 4) belongs" in message
    assert "missing" not in message
