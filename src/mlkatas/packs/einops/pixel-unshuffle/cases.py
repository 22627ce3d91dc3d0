"""Cases for pixel-unshuffle: sizes per named dimension B, C, h, w (output grid) and S (factor).

s1 and s2 are recorded too (both equal S), so that the kata's pattern knows every axis's size."""

import torch.nn.functional as F
from einops import rearrange

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    g.size("S", 2)
    g.size("s1", 2)
    g.size("s2", 2)
    return g.case(g.tensor((10, 3, 224, 224), "float32", layout="contiguous"), 2)


def hidden(g):
    b, c = g.size("B", 1, 3), g.size("C", 1, 4)
    s = g.size("S", g.choice((1, 2, 2, 2, 3, 3)))  # S = 1 is the identity: some, not many
    g.size("s1", s)
    g.size("s2", s)
    h, w = g.size("h", 1, 5), g.size("w", 1, 5)
    x = g.tensor((b, c, h * s, w * s), g.dtype(DTYPES))
    return g.case(x, s)


def _blocks_first(x, s):
    return rearrange(x, "b c (h s1) (w s2) -> b (s1 s2 c) h w", s1=s, s2=s)


def _columns_first(x, s):
    return rearrange(x, "b c (h s1) (w s2) -> b (c s2 s1) h w", s1=s, s2=s)


def _depth_to_space_order(x, s):
    return rearrange(x, "b c (s1 h) (s2 w) -> b (c s1 s2) h w", s1=s, s2=s)


MISTAKES = [
    (
        "offsets before channels",
        _blocks_first,
        "You put the block offsets before the channel ((s1 s2 c)), the order TensorFlow's space_to_depth "
        "uses; F.pixel_unshuffle keeps the S*S channels of one input channel together: (c s1 s2)",
    ),
    (
        "column offset first",
        _columns_first,
        "Your row and column offsets are swapped: channel c*S*S + i*S + j must hold row offset i and "
        "column offset j",
    ),
    (
        "factor outside",
        _depth_to_space_order,
        "You split H as (s1 h) instead of (h s1): that gathers pixels H/S apart, not the S x S neighbours",
    ),
    (
        "pixel shuffle",
        lambda x, s: F.pixel_shuffle(x, s),
        "That is pixel shuffle, the inverse operation: unshuffle makes the image smaller and the channels more",
    ),
]
