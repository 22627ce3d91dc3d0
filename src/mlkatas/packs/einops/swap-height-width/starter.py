import torch
from einops import rearrange


def swap_height_width(x: torch.Tensor) -> torch.Tensor:
    """Swap the two spatial axes of x (B, C, H, W): return (B, C, W, H).

    out[b, c, j, i] == x[b, c, i, j].
    """
    raise NotImplementedError
