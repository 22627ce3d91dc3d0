# expect: values
# says: Your four tokens are in Swin's order
import torch
from torch import nn


class PatchMerging(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x):
        # the order of the Swin Transformer code: top-left, bottom-left, top-right, bottom-right
        x0 = x[:, 0::2, 0::2, :]
        x1 = x[:, 1::2, 0::2, :]
        x2 = x[:, 0::2, 1::2, :]
        x3 = x[:, 1::2, 1::2, :]
        return self.projection(torch.cat([x0, x1, x2, x3], dim=-1))
