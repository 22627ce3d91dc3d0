import torch


def channel_max_pool(x):
    return torch.amax(x, dim=1, keepdim=True)
