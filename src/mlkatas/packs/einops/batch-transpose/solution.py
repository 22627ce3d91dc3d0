import torch
from einops import rearrange


def batch_transpose(x: torch.Tensor) -> torch.Tensor:
    return rearrange(x, "b h w -> b w h")
