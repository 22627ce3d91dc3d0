# expect: shape
# says: Your output is tensors reshaped
import torch


def stack_tensors(tensors):
    # cat joins along the existing first axis: (N * H, W)
    return torch.cat(tensors)
