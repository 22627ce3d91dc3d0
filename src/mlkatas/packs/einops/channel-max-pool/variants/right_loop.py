import torch


def channel_max_pool(x):
    best = x[:, 0:1]
    for c in range(1, x.shape[1]):
        best = torch.maximum(best, x[:, c : c + 1])
    return best
