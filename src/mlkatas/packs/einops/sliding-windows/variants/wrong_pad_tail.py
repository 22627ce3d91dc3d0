# expect: shape
# says: You padded the end
import math

import torch.nn.functional as F


def create_sliding_windows(x, window_size, step):
    # pads the end with zeros so that the leftover positions get a window too
    b, n, d = x.shape
    count = math.ceil((n - window_size) / step) + 1
    padded = F.pad(x, (0, 0, 0, (count - 1) * step + window_size - n))
    windows = padded.unfold(1, window_size, step)
    return windows.transpose(2, 3).reshape(-1, window_size, d)
