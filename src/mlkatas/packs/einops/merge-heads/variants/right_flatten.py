import torch


def merge_heads(x):
    return torch.flatten(x.movedim(1, 2), start_dim=2)
