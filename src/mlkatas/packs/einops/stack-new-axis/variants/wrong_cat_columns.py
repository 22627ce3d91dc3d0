# expect: rearranged
# says: Your output equals `torch.cat(tensors, dim=1)` reshaped
import torch


def stack_tensors(tensors):
    # side by side, then reshaped: the right numbers, but each slice mixes several items
    h, w = tensors[0].shape
    return torch.cat(tensors, dim=1).reshape(len(tensors), h, w)
