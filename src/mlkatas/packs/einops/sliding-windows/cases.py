"""Cases for sliding-windows: sizes per named dimension B, N, D, K (window size) and step.

Every hidden case draws one of three regimes: overlapping windows (step < K), touching windows
(step == K) and spaced-out windows (step > K). N >= K always, so there is at least one window."""

import torch
from einops import rearrange

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


# The input's axes, as feedback names them.
INPUT_AXES = "B N D"

def example(g):
    return g.case(g.tensor((2, 11, 3), "float32", layout="contiguous"), 4, 2)


def hidden(g):
    b, d = g.size("B", 1, 4), g.size("D", 1, 5)
    regime = g.choice(("overlap", "touching", "spaced"))
    if regime == "overlap":
        k = g.size("K", 2, 6)
        step = g.size("step", 1, k - 1)
    elif regime == "touching":
        k = g.size("K", 1, 6)
        step = g.size("step", k)
    else:
        k = g.size("K", 1, 5)
        step = g.size("step", k + 1, k + 4)
    n = g.size("N", k, k + 12)
    x = g.tensor((b, n, d), g.dtype(DTYPES))
    return g.case(x, k, step)


def _window_major(x, k, step):
    return rearrange(x.unfold(1, k, step), "b w d k -> (w b) k d")


def _unfold_as_is(x, k, step):
    windows = x.unfold(1, k, step)
    return windows.reshape(-1, k, x.shape[2])


def _padded_tail(x, k, step):
    n = x.shape[1]
    count = -(-(n - k) // step) + 1
    padded = torch.cat([x, x.new_zeros(x.shape[0], (count - 1) * step + k - n, x.shape[2])], dim=1)
    return rearrange(padded.unfold(1, k, step), "b w d k -> (b w) k d")


def _one_short(x, k, step):
    count = (x.shape[1] - k) // step
    return rearrange(x.unfold(1, k, step)[:, :count], "b w d k -> (b w) k d")


MISTAKES = [
    (
        "window-major rows",
        _window_major,
        "Your rows are window-major (row w * B + b); the kata wants all windows of sequence 0 first: row b * W + w",
    ),
    (
        "unfold without moving the window axis",
        _unfold_as_is,
        "Tensor.unfold appends the window axis at the end, (B, W, D, window_size); a reshape cannot fix that, "
        "the window axis has to move in front of D first",
    ),
    (
        "unfold returned as it comes",
        lambda x, k, step: x.unfold(1, k, step),
        "You returned x.unfold(1, window_size, step) as it comes: (B, W, D, window_size), the window's own "
        "axis last; move it in front of D, then merge B and W into one axis of B * W rows",
    ),
    (
        "padded tail",
        _padded_tail,
        "You padded the end so that the leftover positions get a window; the kata drops them: "
        "W = (N - window_size) // step + 1",
    ),
    (
        "one window short",
        _one_short,
        "You made one window fewer than fit: (N - window_size) // step counts the moves from the first "
        "window to the last, so W = (N - window_size) // step + 1",
    ),
    (
        "step ignored",
        lambda x, k, step: rearrange(x.unfold(1, k, 1), "b w d k -> (b w) k d"),
        "Your windows move by one position at a time; they should move by step",
    ),
]
