import torch


def tile_batch(x, batch_size):
    return torch.stack([x] * batch_size)
