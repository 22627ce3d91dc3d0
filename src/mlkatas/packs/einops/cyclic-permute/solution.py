import torch
from einops import rearrange


def cyclic_permute(x: torch.Tensor) -> torch.Tensor:
    return rearrange(x, "d1 d2 d3 d4 -> d4 d1 d2 d3")
