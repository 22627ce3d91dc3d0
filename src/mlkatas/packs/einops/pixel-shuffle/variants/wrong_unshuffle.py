# expect: shape
# says: That is pixel unshuffle, the inverse operation
import torch.nn.functional as F


def pixel_shuffle(x, upscale_factor):
    # the wrong direction: this one moves space into depth
    return F.pixel_unshuffle(x, upscale_factor)
