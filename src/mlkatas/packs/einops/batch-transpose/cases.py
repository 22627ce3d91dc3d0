"""Cases for batch-transpose: sizes per named dimension B, H, W."""

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    return g.case(g.tensor((32, 64, 128), "float32", layout="contiguous"))


def hidden(g):
    b, h, w = g.size("B", 1, 4), g.size("H", 1, 9), g.size("W", 1, 9)
    return g.case(g.tensor((b, h, w), g.dtype(DTYPES)))
