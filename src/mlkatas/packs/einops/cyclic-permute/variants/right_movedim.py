import torch


def cyclic_permute(x):
    return torch.movedim(x, -1, 0).contiguous()
