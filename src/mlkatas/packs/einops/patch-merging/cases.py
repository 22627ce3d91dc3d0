"""Cases for patch-merging: sizes per named dimension B, h, w (the merged grid) and C.

Inputs are float32 only. The judge builds the learner's module, whose nn.Linear is float32, and
copies the test weight into it; a float64 or bfloat16 input would then meet a float32 weight, and a
correct module would fail for a reason the kata does not teach."""

import math

import torch.nn.functional as F
from einops import rearrange


def _weight(g, c):
    return g.randn((2 * c, 4 * c)) / math.sqrt(4 * c)


def example(g):
    x = g.tensor((4, 14, 14, 96), "float32", layout="contiguous")
    return g.case(x, init=(96,), params={"projection.weight": _weight(g, 96)})


def hidden(g):
    b, c = g.size("B", 1, 3), g.size("C", 1, 6)
    h, w = g.size("h", 1, 4), g.size("w", 1, 4)
    x = g.tensor((b, 2 * h, 2 * w, c), "float32")
    return g.case(x, init=(c,), params={"projection.weight": _weight(g, c)})


# The output's axes, as feedback names them.
OUTPUT_AXES = "B H/2 W/2 2C"
READING_ORDER = "b (h p1) (w p2) c -> b h w (p1 p2 c)"
SWIN_ORDER = "b (h p1) (w p2) c -> b h w (p2 p1 c)"


def _project(case, pattern, norm=False, norm_after=False):
    x, weight = case.args[0], case.params["projection.weight"]
    merged = rearrange(x, pattern, p1=2, p2=2)
    if norm:  # Swin's nn.LayerNorm as it is built: weight 1, bias 0
        merged = F.layer_norm(merged, merged.shape[-1:])
    out = merged @ weight.T
    return F.layer_norm(out, out.shape[-1:]) if norm_after else out


MISTAKES = [
    (
        "Swin order",
        lambda case: _project(case, SWIN_ORDER),
        "Your four tokens are in Swin's order (top-left, bottom-left, top-right, bottom-right); this kata "
        "wants reading order: top-left, top-right, bottom-left, bottom-right, i.e. (p1 p2 c)",
    ),
    (
        "channels first",
        lambda case: _project(case, "b (h p1) (w p2) c -> b h w (c p1 p2)"),
        "You interleaved the four tokens feature by feature, (c p1 p2); they go one after the other, "
        "each with all of its C features: (p1 p2 c)",
    ),
    (
        "quadrants",
        lambda case: _project(case, "b (p1 h) (p2 w) c -> b h w (p1 p2 c)"),
        "You split H as (p1 h) instead of (h p1): that merges tokens H/2 apart, not 2 x 2 neighbours",
    ),
    (
        "LayerNorm first",
        lambda case: _project(case, READING_ORDER, norm=True),
        "You normalised the merged tokens before the projection, as Swin does; this kata has no LayerNorm, "
        "only the concatenation and projection",
    ),
    (
        "LayerNorm after",
        lambda case: _project(case, READING_ORDER, norm_after=True),
        "You normalised the projected tokens, as Swin Transformer V2 does; this kata has no LayerNorm, "
        "only the concatenation and projection",
    ),
    (
        "no projection",
        lambda case: rearrange(case.args[0], "b (h p1) (w p2) c -> b h w (p1 p2 c)", p1=2, p2=2),
        "The four tokens are concatenated right, but the projection to 2C features is missing",
    ),
]

# What a learner copying Swin Transformer writes: its token order with its LayerNorm (V1 before the
# projection, V2 after).
COMBINED_MISTAKES = [
    (("Swin order", "LayerNorm first"), lambda case: _project(case, SWIN_ORDER, norm=True)),
    (("Swin order", "LayerNorm after"), lambda case: _project(case, SWIN_ORDER, norm_after=True)),
]
