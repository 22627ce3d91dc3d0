# expect: values
# says: every slice is a real one of x, only shifted
import torch


def create_sliding_windows(x, window_size, step):
    # windows counted back from the end of the sequence: the leftover positions fall at the start
    b, n, d = x.shape
    count = (n - window_size) // step + 1
    starts = n - window_size - step * torch.arange(count - 1, -1, -1)
    index = starts[:, None] + torch.arange(window_size)
    return x[:, index].reshape(-1, window_size, d)
