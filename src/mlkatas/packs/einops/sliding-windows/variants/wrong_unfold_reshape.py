# expect: rearranged
# says: Tensor.unfold appends the window axis at the end
def create_sliding_windows(x, window_size, step):
    b, n, d = x.shape
    windows = x.unfold(1, window_size, step)  # (B, W, D, K)
    return windows.reshape(-1, window_size, d)
