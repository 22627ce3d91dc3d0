import torch
from torch import nn


class PatchMerging(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x):
        top_left = x[:, 0::2, 0::2, :]
        top_right = x[:, 0::2, 1::2, :]
        bottom_left = x[:, 1::2, 0::2, :]
        bottom_right = x[:, 1::2, 1::2, :]
        return self.projection(torch.cat([top_left, top_right, bottom_left, bottom_right], dim=-1))
