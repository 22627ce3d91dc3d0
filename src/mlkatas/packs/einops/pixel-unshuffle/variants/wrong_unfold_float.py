# expect: dtype
import torch.nn.functional as F


def pixel_unshuffle(x, downscale_factor):
    s = downscale_factor
    b, c, h, w = x.shape
    # unfold only works on floating tensors, so the input is cast and never cast back
    cols = F.unfold(x.float(), kernel_size=s, stride=s)  # (b, c*s*s, h//s * w//s)
    return cols.reshape(b, c * s * s, h // s, w // s)
