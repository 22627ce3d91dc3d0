# expect: dtype
import torch


def swap_height_width(x):
    return x.permute(0, 1, 3, 2).to(torch.float32)
