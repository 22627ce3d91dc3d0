"""Cases for swap-height-width: sizes per named dimension B, C, H, W."""

import torch

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    return g.case(g.tensor((8, 3, 32, 48), "float32", layout="contiguous"))


def hidden(g):
    b, c = g.size("B", 1, 3), g.size("C", 1, 4)
    h, w = g.size("H", 1, 9), g.size("W", 1, 9)
    return g.case(g.tensor((b, c, h, w), g.dtype(DTYPES)))


def _rot90(x):
    return torch.rot90(x, 1, (2, 3))


def _rot270(x):
    return torch.rot90(x, -1, (2, 3))


MISTAKES = [
    (
        "rot90",
        _rot90,
        "Your output equals `torch.rot90(x, 1, (2, 3))`, a counter-clockwise rotation: that is a transpose "
        "followed by a flip, so the rows come out in reverse order; the kata wants the transpose alone",
    ),
    (
        "rot270",
        _rot270,
        "Your output equals `torch.rot90(x, -1, (2, 3))`, a clockwise rotation: that is a transpose "
        "followed by a flip, so the columns come out in reverse order; the kata wants the transpose alone",
    ),
]
