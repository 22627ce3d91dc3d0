"""Cases for channel-max-pool: sizes per named dimension B, C, H, W; float and integer dtypes."""

import torch

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    return g.case(g.tensor((8, 64, 32, 32), "float32", layout="contiguous"))


def hidden(g):
    b, c = g.size("B", 1, 4), g.size("C", 1, 8)
    h, w = g.size("H", 1, 9), g.size("W", 1, 9)
    return g.case(g.tensor((b, c, h, w), g.dtype(DTYPES)))


MISTAKES = [
    (
        "no keepdim",
        lambda x: x.amax(dim=1),
        "The channel axis vanished: keep it with length 1 (keepdim=True, or 'b 1 h w' in einops)",
    ),
    (
        "values and indices",
        lambda x: torch.max(x, dim=1, keepdim=True),
        "torch.max with a dim returns a (values, indices) pair; return only the values",
    ),
    (
        "mean",
        lambda x: x.mean(dim=1, keepdim=True),
        "Your output is the channel average, CBAM's other pooled map; this kata takes the maximum",
    ),
    (
        "wrong axis",
        lambda x: x.amax(dim=-1, keepdim=True),
        "You took the maximum over the last axis (the width); the channels are axis 1",
    ),
]
