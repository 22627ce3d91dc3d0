"""Cases for stack-new-axis: sizes per named dimension N (list length), H, W."""

import torch

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    frames = [g.tensor((48, 64), "float32", layout="contiguous", name=f"tensors[{i}]") for i in range(6)]
    return g.case(frames)


def hidden(g):
    n, h, w = g.size("N", 1, 6), g.size("H", 1, 9), g.size("W", 1, 9)
    dtype = g.dtype(DTYPES)
    return g.case([g.tensor((h, w), dtype, name=f"tensors[{i}]") for i in range(n)])


def _cat(tensors):
    if len(tensors) == 1:
        raise ValueError("indistinguishable from returning the only tensor")
    return torch.cat(tensors)


def _cat_columns_then_reshape(tensors):
    return torch.cat(tensors, dim=1).reshape(len(tensors), *tensors[0].shape)


MISTAKES = [
    (
        "cat",
        _cat,
        "Your output equals `torch.cat(tensors)`: cat joins the items along an axis they already have, "
        "making it longer; `torch.stack` creates a new axis for the list",
    ),
    (
        "cat-columns",
        _cat_columns_then_reshape,
        "Your output equals `torch.cat(tensors, dim=1)` reshaped to (N, H, W): the items were placed side "
        "by side, and a reshape cannot pull them apart again",
    ),
]
