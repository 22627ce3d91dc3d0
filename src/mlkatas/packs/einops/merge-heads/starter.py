import torch
from einops import rearrange


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """Merge the heads of x (B, H, N, d) back into one feature axis: return (B, N, H * d).

    Head h fills features h*d ... h*d + d - 1 of each token: out[b, n, h*d + j] == x[b, h, n, j].
    """
    raise NotImplementedError
