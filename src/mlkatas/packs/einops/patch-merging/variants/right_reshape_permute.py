import torch.nn.functional as F
from torch import nn


class PatchMerging(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x):
        b, h, w, c = x.shape
        blocks = x.reshape(b, h // 2, 2, w // 2, 2, c).permute(0, 1, 3, 2, 4, 5)
        return F.linear(blocks.reshape(b, h // 2, w // 2, 4 * c), self.projection.weight)
