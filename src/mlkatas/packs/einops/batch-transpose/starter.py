import torch
from einops import rearrange


def batch_transpose(x: torch.Tensor) -> torch.Tensor:
    """Transpose every matrix of the batch x (B, H, W): return (B, W, H).

    out[b, j, i] == x[b, i, j]; the batch axis stays first.
    """
    raise NotImplementedError
