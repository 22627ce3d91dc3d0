"""Cases for split-heads: sizes per named dimension B, N, h (heads), d (head size)."""

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    g.size("h", 12)
    g.size("d", 64)
    return g.case(g.tensor((16, 100, 768), "float32", layout="contiguous"), 12)


def hidden(g):
    b, n = g.size("B", 1, 4), g.size("N", 1, 9)
    h, d = g.size("h", 1, 6), g.size("d", 1, 7)
    x = g.tensor((b, n, h * d), g.dtype(DTYPES))
    return g.case(x, h)
