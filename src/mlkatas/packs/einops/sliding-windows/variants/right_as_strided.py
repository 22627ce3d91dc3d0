def create_sliding_windows(x, window_size, step):
    b, n, d = x.shape
    count = (n - window_size) // step + 1
    sb, sn, sd = x.stride()
    windows = x.as_strided((b, count, window_size, d), (sb, step * sn, sn, sd))
    return windows.reshape(b * count, window_size, d)
