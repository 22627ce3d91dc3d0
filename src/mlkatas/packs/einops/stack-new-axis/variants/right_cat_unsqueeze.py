import torch


def stack_tensors(tensors):
    return torch.cat([t.unsqueeze(0) for t in tensors], dim=0)
