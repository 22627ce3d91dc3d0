import torch
from einops import rearrange


def swap_height_width(x: torch.Tensor) -> torch.Tensor:
    return rearrange(x, "b c h w -> b c w h")
