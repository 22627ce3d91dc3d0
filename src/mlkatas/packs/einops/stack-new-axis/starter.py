import torch
from einops import rearrange


def stack_tensors(tensors: list[torch.Tensor]) -> torch.Tensor:
    """Stack a list of N tensors, each (H, W), along a new first axis: return (N, H, W).

    out[i] == tensors[i], in list order.
    """
    raise NotImplementedError
