import torch
from einops import rearrange


def cyclic_permute(x: torch.Tensor) -> torch.Tensor:
    """Move the last axis of x (D1, D2, D3, D4) to the front: return (D4, D1, D2, D3).

    out[l, i, j, k] == x[i, j, k, l].
    """
    raise NotImplementedError
