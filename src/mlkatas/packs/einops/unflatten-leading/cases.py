"""Cases for unflatten-leading: sizes per named dimension d1, d2 (split from the first axis), d3, d4."""

import torch

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    g.size("d1", 2)
    g.size("d2", 8)
    return g.case(g.tensor((16, 32, 24), "float32", layout="contiguous"), 2)


def hidden(g):
    d1, d2, d3, d4 = (g.size(f"d{i}", 1, 6) for i in range(1, 5))
    return g.case(g.tensor((d1 * d2, d3, d4), g.dtype(DTYPES)), d1)


MISTAKES = [
    (
        "d1-inner",
        lambda x, d1: x.reshape(-1, d1, *x.shape[1:]),
        "Your output equals `x.reshape(-1, d1, ...)`: d1 was used as the size of the inner axis. The kata's "
        "d1 is the outer axis, the first one of the result",
    ),
    (
        "chunk",
        lambda x, d1: torch.chunk(x, d1),
        "Your output equals `torch.chunk(x, d1)`: the d1 pieces of shape (D2, D3, D4) are right, but they "
        "come as a tuple; `torch.stack` joins them into one tensor, and a reshape does it in one step",
    ),
]
