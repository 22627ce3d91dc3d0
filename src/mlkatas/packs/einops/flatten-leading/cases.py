"""Cases for flatten-leading: sizes per named dimension d1, d2, d3, d4, each drawn on its own."""

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    return g.case(g.tensor((2, 8, 32, 24), "float32", layout="contiguous"))


def hidden(g):
    sizes = [g.size(f"d{i}", 1, 6) for i in range(1, 5)]
    return g.case(g.tensor(sizes, g.dtype(DTYPES)))


MISTAKES = [
    (
        "flatten-middle",
        lambda x: x.flatten(1, 2),
        "Your output equals `x.flatten(1, 2)`: the second and third axes were merged. Axes count from 0 "
        "and flatten includes both ends, so the first two axes are `flatten(0, 1)`",
    ),
]
