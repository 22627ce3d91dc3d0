"""Cases for merge-heads: sizes per named dimension B, h (heads), N (tokens), d (head size)."""

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    return g.case(g.tensor((16, 12, 100, 64), "float32", layout="contiguous"))


def hidden(g):
    b, h = g.size("B", 1, 4), g.size("h", 1, 6)
    n, d = g.size("N", 1, 9), g.size("d", 1, 7)
    return g.case(g.tensor((b, h, n, d), g.dtype(DTYPES)))
