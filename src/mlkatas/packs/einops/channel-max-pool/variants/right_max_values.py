import torch


def channel_max_pool(x):
    values, _ = torch.max(x, dim=1, keepdim=True)
    return values
