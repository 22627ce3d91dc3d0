def create_sliding_windows(x, window_size, step):
    b, n, d = x.shape
    windows = x.unfold(1, window_size, step)  # (B, W, D, K)
    return windows.transpose(2, 3).reshape(-1, window_size, d)
