import torch
from einops import rearrange


def pixel_unshuffle(x: torch.Tensor, downscale_factor: int) -> torch.Tensor:
    s = downscale_factor
    return rearrange(x, "b c (h s1) (w s2) -> b (c s1 s2) h w", s1=s, s2=s)
