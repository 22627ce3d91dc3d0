import torch
from einops import rearrange


def unflatten_leading(x: torch.Tensor, d1: int) -> torch.Tensor:
    return rearrange(x, "(d1 d2) d3 d4 -> d1 d2 d3 d4", d1=d1)
