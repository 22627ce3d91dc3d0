import torch
from einops import rearrange


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
