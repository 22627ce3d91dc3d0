# expect: values
# says: You split H as (p1 h) instead of (h p1)
from einops import rearrange
from torch import nn


class PatchMerging(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x):
        # (p1 h) takes one token from each half of the image instead of a 2 x 2 neighbourhood
        return self.projection(rearrange(x, "b (p1 h) (p2 w) c -> b h w (p1 p2 c)", p1=2, p2=2))
