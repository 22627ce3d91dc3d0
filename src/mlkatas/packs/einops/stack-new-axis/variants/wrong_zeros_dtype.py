# expect: dtype
import torch


def stack_tensors(tensors):
    h, w = tensors[0].shape
    out = torch.zeros(len(tensors), h, w)  # float32, whatever the inputs are
    for i, t in enumerate(tensors):
        out[i] = t
    return out
