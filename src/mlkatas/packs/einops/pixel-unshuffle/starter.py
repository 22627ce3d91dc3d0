import torch
from einops import rearrange


def pixel_unshuffle(x: torch.Tensor, downscale_factor: int) -> torch.Tensor:
    """Move each S x S block of x (B, C, H, W) into channels: return (B, C*S*S, H//S, W//S).

    Output channel c*S*S + i*S + j at (h, w) holds x[:, c, h*S + i, w*S + j], with S = downscale_factor.
    """
    raise NotImplementedError
