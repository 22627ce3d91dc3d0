# expect: shape
import torch


def create_sliding_windows(x, window_size, step):
    b, n, d = x.shape
    # range stops before n - window_size, so the last window that fits is lost
    windows = [x[:, s : s + window_size] for s in range(0, n - window_size, step)]
    return torch.stack(windows, dim=1).reshape(-1, window_size, d)
