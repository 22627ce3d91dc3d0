# expect: rearranged
# says: Your output equals rearrange(x, 'b h n d -> b n (d h)')
from einops import rearrange


def merge_heads(x):
    # (d h) puts the head index innermost: the heads' features end up interleaved
    return rearrange(x, "b h n d -> b n (d h)")
