"""Cases for top-k-gating: logits (..., E) with 0 to 3 leading axes, k in [1, E].

No ties, in any dtype: every row is a shuffled copy of (r - E // 2) * scale for r = 0 .. E-1, with
scale a power of two, which bfloat16 holds exactly for E <= 64. float32 and float64 rows get a
random jitter below half the spacing, so their values are less regular but keep the same order.
"""

import math

import torch

FLOATS = ("float32", "float64", "bfloat16")
LEADING = {0: (), 1: ("N",), 2: ("B", "S"), 3: ("B", "S", "G")}

OUTPUTS = ("weights", "indices")


def _logits(g, lead, e, dtype):
    rows = math.prod(lead)
    ranks = torch.argsort(g.rand((rows, e)), dim=-1)  # one random permutation per row
    scale = g.choice((0.25, 0.5, 1.0))
    values = (ranks - e // 2).to(torch.float64) * scale
    if dtype != torch.bfloat16:
        values = values + g.rand((rows, e), torch.float64) * (0.45 * scale)
    # draw a tensor for its layout (sometimes non-contiguous), then fill in the distinct values
    out = g.tensor((*lead, e), dtype, name="logits")
    out.copy_(values.reshape(*lead, e))
    return out


def example(g):
    g.size("N", 2), g.size("E", 4), g.size("k", 2)
    return g.case(torch.tensor([[1.0, 3.0, 0.5, 2.0], [-1.0, 0.5, 2.5, 0.0]]), 2)


def hidden(g):
    ndim = g.choice((0, 1, 1, 1, 2, 2, 2, 3, 3))
    lead = tuple(g.size(name, 1, 5) for name in LEADING[ndim])
    if g.chance(0.8):
        e = g.size("E", 2, 16)
    elif g.chance(0.3):
        e = g.size("E", 1)
    else:
        e = g.size("E", 17, 64)
    k = g.size("k", 1, e)
    dtype = g.dtype(FLOATS)
    return g.case(_logits(g, lead, e, dtype), k)


def _softmax_all_experts(logits, k):
    return torch.topk(torch.softmax(logits, dim=-1), k, dim=-1)


def _ascending(logits, k):
    top, indices = torch.topk(logits, k, dim=-1)
    return torch.softmax(top, dim=-1).flip(-1), indices.flip(-1)


def _swapped(logits, k):
    top, indices = torch.topk(logits, k, dim=-1)
    return indices, torch.softmax(top, dim=-1)


def _implicit_softmax_dim(logits, k):
    top, indices = torch.topk(logits, k)
    return torch.softmax(top, dim=0 if top.dim() in (0, 1, 3) else 1), indices  # what F.softmax guesses


MISTAKES = [
    (
        "implicit softmax dim",
        _implicit_softmax_dim,
        "Your softmax ran over the wrong axis: F.softmax without dim= guesses one from the number of "
        "dimensions (axis 0 for 1-D and 3-D input, axis 1 otherwise); pass dim=-1, the k selected logits",
    ),
    (
        "softmax-all-experts",
        _softmax_all_experts,
        "The weights match a softmax over all E experts; take the softmax over the k selected logits "
        "only, so that each row of weights sums to 1",
    ),
    (
        "ascending",
        _ascending,
        "This is the right choice of experts in ascending order; list them from the largest logit down",
    ),
    ("swapped", _swapped, "You returned (indices, weights); return them in the order (weights, indices)"),
]
