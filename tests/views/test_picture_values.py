"""The picture of a rearrangement is drawn from a case whose values are 0, 1, 2, ... in order, so a
learner sees where each element went; other katas keep their random values and ranges."""

from __future__ import annotations

import pytest
import torch

from mlkatas.catalog import Catalog
from mlkatas.engine.casegen import CaseGen
from mlkatas.views.picture import find_picture

WRONG_TRANSPOSE = "def batch_transpose(x):\n    b, h, w = x.shape\n    return x.reshape(b, w, h)\n"


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def cells(slices) -> list:
    return [v for s in slices for row in s for v in row]


def test_the_picture_of_a_wrong_transpose_shows_where_each_of_0_to_n_went(catalog):
    from mlkatas.judge import Judge

    with Judge(sandbox="local", catalog=catalog, workers=1) as judge:
        verdict = judge.grade("batch-transpose", WRONG_TRANSPOSE)
        picture = find_picture(judge, verdict, WRONG_TRANSPOSE)
    assert picture is not None and picture.seed is not None  # the example is too big: a hidden case's analogue
    grids = picture.grids
    expected = cells(s.expected for s in grids.slices)
    got = cells(s.got for s in grids.slices)
    n = len(expected)
    assert sorted(int(v) for v in expected) == list(range(n))  # every value once: 0 .. n-1
    assert expected != sorted(expected)  # transposed: not in reading order
    assert [int(v) for v in got] == list(range(n))  # reshape kept the memory order: nothing moved
    assert grids.differing > 0


def test_ordered_values_keep_the_dtype_and_the_authors_range():
    g = CaseGen(1, 2, ordered=True, noncontiguous_p=0.0)
    assert g.tensor((2, 3), "bfloat16").tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert g.tensor((2, 2), torch.int32).dtype == torch.int32
    assert g.tensor((3,), "int64", low=5, high=100).tolist() == [5, 6, 7]
    assigned = g.tensor((2, 4), "int64", low=0, high=3)  # no room for 8 distinct values: random, in range
    assert int(assigned.min()) >= 0 and int(assigned.max()) < 3
    strided = CaseGen(1, 2, ordered=True, noncontiguous_p=1.0).tensor((2, 3), "float32")
    assert not strided.is_contiguous() and strided.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
