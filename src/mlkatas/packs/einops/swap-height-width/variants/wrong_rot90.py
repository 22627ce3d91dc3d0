# expect: rearranged
# says: a counter-clockwise rotation
import torch


def swap_height_width(x):
    # a rotation is a transpose plus a flip: the rows come out in reverse order
    return torch.rot90(x, k=1, dims=(2, 3))
