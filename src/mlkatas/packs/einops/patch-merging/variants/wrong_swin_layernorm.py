# expect: values
# says: You normalised the merged tokens before the projection
from einops import rearrange
from torch import nn


class PatchMerging(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.norm = nn.LayerNorm(4 * input_dim)  # Swin normalises first; this kata does not
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x):
        merged = rearrange(x, "b (h p1) (w p2) c -> b h w (p1 p2 c)", p1=2, p2=2)
        return self.projection(self.norm(merged))
