# expect: shape
import torch


def stack_tensors(tensors):
    # the new axis is put last instead of first
    return torch.stack(tensors, dim=-1)
