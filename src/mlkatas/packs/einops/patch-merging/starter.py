import torch
from einops import rearrange
from torch import nn


class PatchMerging(nn.Module):
    """Fuse each 2 x 2 neighbourhood of x (B, H, W, C) into one token: (B, H/2, W/2, 2C)."""

    def __init__(self, input_dim: int):
        super().__init__()
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Concatenate top-left, top-right, bottom-left, bottom-right (4C features), then project to 2C."""
        raise NotImplementedError
