# expect: values
# says: Two mistakes at once
import torch
from torch import nn


class PatchMerging(nn.Module):
    """Swin Transformer V2's layer: Swin's token order, and a LayerNorm after the projection."""

    def __init__(self, input_dim):
        super().__init__()
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)
        self.norm = nn.LayerNorm(2 * input_dim)

    def forward(self, x):
        parts = [x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]]
        return self.norm(self.projection(torch.cat(parts, -1)))
