import torch


def stack_tensors(tensors):
    first = tensors[0]
    out = torch.empty((len(tensors), *first.shape), dtype=first.dtype)
    for i, t in enumerate(tensors):
        out[i] = t
    return out
