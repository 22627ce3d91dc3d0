import torch


def swap_height_width(x):
    return torch.einsum("bchw->bcwh", x)
