import torch


def create_sliding_windows(x, window_size, step):
    b, n, d = x.shape
    rows = []
    for i in range(b):
        start = 0
        while start + window_size <= n:
            rows.append(x[i, start : start + window_size])
            start += step
    return torch.stack(rows)
