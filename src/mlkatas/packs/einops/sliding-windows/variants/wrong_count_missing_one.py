# expect: shape
# says: You made one window fewer than fit
import torch


def create_sliding_windows(x, window_size, step):
    b, n, d = x.shape
    count = (n - window_size) // step  # the window that starts at 0 is not counted
    index = torch.arange(count)[:, None] * step + torch.arange(window_size)  # (count, K)
    return x[:, index].reshape(-1, window_size, d)
