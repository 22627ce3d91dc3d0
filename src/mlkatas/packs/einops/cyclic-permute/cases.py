"""Cases for cyclic-permute: sizes per named dimension d1, d2, d3, d4, each drawn on its own."""

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    return g.case(g.tensor((8, 24, 32, 3), "float32", layout="contiguous"))


def hidden(g):
    sizes = [g.size(f"d{i}", 1, 6) for i in range(1, 5)]
    return g.case(g.tensor(sizes, g.dtype(DTYPES)))


MISTAKES = [
    (
        "wrong-direction",
        lambda x: x.permute(1, 2, 3, 0),
        "Your output equals `x.permute(1, 2, 3, 0)` (and `x.movedim(0, -1)`): the first axis went to the "
        "back, the opposite rotation. In permute, each number names the input axis that lands at that "
        "output position",
    ),
    (
        "swap-ends",
        lambda x: x.transpose(0, 3),
        "Your output equals `x.transpose(0, 3)`: swapping the first and the last axis sends D1 to the end; "
        "instead the three leading axes must each shift back by one place, keeping their order",
    ),
]
