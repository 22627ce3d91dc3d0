# expect: error
import torch
from torch import nn


class PatchMerging(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        # the Swin code calls this layer `reduction`; the tests look for `projection`
        self.reduction = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x):
        parts = [x[:, 0::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 0::2], x[:, 1::2, 1::2]]
        return self.reduction(torch.cat(parts, dim=-1))
