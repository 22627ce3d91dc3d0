import torch.nn.functional as F


def pixel_unshuffle(x, downscale_factor):
    return F.pixel_unshuffle(x, downscale_factor)
