import torch


def stack_tensors(tensors):
    return torch.stack(tensors)
