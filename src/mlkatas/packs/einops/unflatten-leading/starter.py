import torch
from einops import rearrange


def unflatten_leading(x: torch.Tensor, d1: int) -> torch.Tensor:
    """Split the first axis of x (D1 * D2, D3, D4) into (D1, D2): return (D1, D2, D3, D4).

    d1 is D1, the outer axis: out[i, j, k, l] == x[i * D2 + j, k, l].
    """
    raise NotImplementedError
