# expect: rearranged
# says: Your rows are window-major
from einops import rearrange


def create_sliding_windows(x, window_size, step):
    windows = x.unfold(1, window_size, step)
    # (w b) puts window 0 of every sequence first
    return rearrange(windows, "b w d k -> (w b) k d")
