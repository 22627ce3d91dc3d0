"""Cases for global-average-pooling: sizes per named dimension B, C, H, W; floating dtypes only
(the mean of integers is not an integer)."""

DTYPES = ("float32", "float64", "bfloat16")


# The input's axes, as feedback names them.
INPUT_AXES = "B C H W"

def example(g):
    return g.case(g.tensor((4, 512, 7, 7), "float32", layout="contiguous"))


def hidden(g):
    b, c = g.size("B", 1, 4), g.size("C", 1, 6)
    h, w = g.size("H", 1, 10), g.size("W", 1, 10)
    return g.case(g.tensor((b, c, h, w), g.dtype(DTYPES)))


MISTAKES = [
    (
        "kept the pooled axes",
        lambda x: x.mean((2, 3), keepdim=True),
        "You kept the pooled axes as size 1, (B, C, 1, 1); the kata wants them gone: (B, C)",
    ),
    (
        "channels-last axes",
        lambda x: x.mean((1, 2)),
        "You averaged over axes 1 and 2, as if the image were channels-last (B, H, W, C); here the "
        "channels are axis 1 and the spatial axes are 2 and 3",
    ),
    (
        "squeeze",
        lambda x: x.mean((2, 3), keepdim=True).squeeze(),
        "squeeze() without an axis also drops B or C when one of them is 1; name the axes to drop, "
        "or let the mean remove them",
    ),
    (
        "sum",
        lambda x: x.sum((2, 3)),
        "Your output is the sum over H and W; the average divides it by H * W",
    ),
    (
        "max",
        lambda x: x.amax((2, 3)),
        "Your output is the maximum over H and W (global max pooling); this kata takes the average",
    ),
]
