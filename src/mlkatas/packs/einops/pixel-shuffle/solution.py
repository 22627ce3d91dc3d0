import torch
from einops import rearrange


def pixel_shuffle(x: torch.Tensor, upscale_factor: int) -> torch.Tensor:
    s = upscale_factor
    return rearrange(x, "b (c s1 s2) h w -> b c (h s1) (w s2)", s1=s, s2=s)
