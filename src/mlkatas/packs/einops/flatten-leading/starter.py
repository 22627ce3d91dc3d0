import torch
from einops import rearrange


def flatten_leading(x: torch.Tensor) -> torch.Tensor:
    """Merge the first two axes of x (D1, D2, D3, D4): return (D1 * D2, D3, D4).

    Row-major, as reshape does: out[i * D2 + j, k, l] == x[i, j, k, l].
    """
    raise NotImplementedError
