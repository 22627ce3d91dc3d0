# expect: rearranged
# says: two axes swapped, H/2 (axis 1) and W/2 (axis 2)
from einops import rearrange
from torch import nn


class PatchMerging(nn.Module):
    def __init__(self, input_dim):
        super().__init__()
        self.projection = nn.Linear(4 * input_dim, 2 * input_dim, bias=False)

    def forward(self, x):
        # the merged grid comes out (w h): column-major
        return self.projection(rearrange(x, "b (h p1) (w p2) c -> b w h (p1 p2 c)", p1=2, p2=2))
