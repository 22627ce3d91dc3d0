"""Cases for pixel-shuffle: sizes per named dimension B, c (output channels), h, w (input grid)
and S (factor). s1 and s2 are recorded too (both equal S), so that the kata's pattern knows every
axis's size."""

import torch.nn.functional as F
from einops import rearrange

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    g.size("S", 2)
    g.size("s1", 2)
    g.size("s2", 2)
    return g.case(g.tensor((10, 12, 112, 112), "float32", layout="contiguous"), 2)


def hidden(g):
    b, c = g.size("B", 1, 3), g.size("c", 1, 4)
    s = g.size("S", g.choice((1, 2, 2, 2, 3, 3)))  # S = 1 is the identity: some, not many
    g.size("s1", s)
    g.size("s2", s)
    h, w = g.size("h", 1, 5), g.size("w", 1, 5)
    x = g.tensor((b, c * s * s, h, w), g.dtype(DTYPES))
    return g.case(x, s)


def _offsets_first(x, s):
    return rearrange(x, "b (s1 s2 c) h w -> b c (h s1) (w s2)", s1=s, s2=s)


def _columns_first(x, s):
    return rearrange(x, "b (c s1 s2) h w -> b c (h s2) (w s1)", s1=s, s2=s)


def _factor_outside(x, s):
    return rearrange(x, "b (c s1 s2) h w -> b c (s1 h) (s2 w)", s1=s, s2=s)


MISTAKES = [
    (
        "offsets before channels",
        _offsets_first,
        "You read the channel axis as (s1 s2 c), the order TensorFlow's depth_to_space uses; "
        "F.pixel_shuffle reads it as (c s1 s2): the S*S channels of one output channel are adjacent",
    ),
    (
        "column offset first",
        _columns_first,
        "Your row and column offsets are swapped: input channel c*S*S + i*S + j belongs at row offset i "
        "and column offset j",
    ),
    (
        "factor outside",
        _factor_outside,
        "You merged H as (s1 h) instead of (h s1): that tiles S shrunken copies side by side instead of "
        "filling each S x S block",
    ),
    (
        "pixel unshuffle",
        lambda x, s: F.pixel_unshuffle(x, s),
        "That is pixel unshuffle, the inverse operation: shuffle makes the image larger and the channels fewer",
    ),
]
