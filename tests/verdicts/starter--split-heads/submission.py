import torch
from einops import rearrange


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Split the last axis of x (B, N, D) into heads: return (B, num_heads, N, D // num_heads).

    Head h gets features h*d ... h*d + d - 1 of each token, with d = D // num_heads.
    """
    raise NotImplementedError
