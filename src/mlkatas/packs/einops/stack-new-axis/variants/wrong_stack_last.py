# expect: shape
# says: Your output equals rearrange(tensors, 'n h w -> h w n')
import torch


def stack_tensors(tensors):
    # the new axis is put last instead of first
    return torch.stack(tensors, dim=-1)
