# expect: mutated_input
import torch


def stack_tensors(tensors):
    # unsqueeze_ changes the caller's tensors (they become (1, H, W))
    for t in tensors:
        t.unsqueeze_(0)
    return torch.cat(tensors)
