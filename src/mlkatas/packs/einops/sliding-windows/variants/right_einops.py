import torch
from einops import rearrange


def create_sliding_windows(x, window_size, step):
    n = x.shape[1]
    starts = range(0, n - window_size + 1, step)
    windows = torch.stack([x[:, s : s + window_size] for s in starts])  # (W, B, K, D)
    return rearrange(windows, "w b k d -> (b w) k d")
