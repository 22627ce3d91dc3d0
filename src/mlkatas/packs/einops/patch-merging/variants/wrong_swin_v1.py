# expect: values
# says: Two mistakes at once
import torch
from torch import nn


class PatchMerging(nn.Module):
    """Swin Transformer's own layer: Swin's token order and a LayerNorm before the projection."""

    def __init__(self, input_dim):
        super().__init__()
        self.norm = nn.LayerNorm(4 * input_dim)
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x):
        x0 = x[:, 0::2, 0::2, :]
        x1 = x[:, 1::2, 0::2, :]
        x2 = x[:, 0::2, 1::2, :]
        x3 = x[:, 1::2, 1::2, :]
        return self.projection(self.norm(torch.cat([x0, x1, x2, x3], -1)))
