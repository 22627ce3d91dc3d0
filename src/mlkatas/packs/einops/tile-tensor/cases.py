"""Cases for tile-tensor: sizes per named dimension H, W and the number of copies batch_size."""

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def example(g):
    return g.case(g.tensor((100, 256), "float32", layout="contiguous"), 8)


def hidden(g):
    h, w = g.size("H", 1, 9), g.size("W", 1, 9)
    batch_size = g.size("batch_size", 1, 6)
    return g.case(g.tensor((h, w), g.dtype(DTYPES)), batch_size)


def _repeat_rows(x, batch_size):
    if batch_size == 1:
        raise ValueError("indistinguishable from returning x unchanged")
    return x.repeat(batch_size, 1)


def _tile_columns(x, batch_size):
    if batch_size == 1:
        raise ValueError("indistinguishable from returning x unchanged")
    return x.tile((batch_size,))


def _interleave_rows(x, batch_size):
    return x.repeat_interleave(batch_size, dim=0).reshape(batch_size, *x.shape)


MISTAKES = [
    (
        "repeat-2-counts",
        _repeat_rows,
        "Your output equals `x.repeat(batch_size, 1)`: the copies were glued below each other along the "
        "row axis instead of going into a new axis; repeat adds an axis only when it gets one count per "
        "output axis, `x.repeat(batch_size, 1, 1)`",
    ),
    (
        "tile-1-count",
        _tile_columns,
        "Your output equals `x.tile((batch_size,))`: the copies were placed side by side along the column "
        "axis (tile matches a short list of counts with the last axes); a new front axis needs "
        "`(batch_size, 1, 1)`",
    ),
    (
        "repeat-interleave",
        _interleave_rows,
        "Your output equals `x.repeat_interleave(batch_size, dim=0)` reshaped: each row was repeated in place "
        "(r0 r0 r1 r1 ...) instead of the whole matrix, so the copies come out scrambled",
    ),
]
