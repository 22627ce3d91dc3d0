import torch


def unflatten_leading(x, d1):
    return torch.stack(torch.chunk(x, d1, dim=0))
