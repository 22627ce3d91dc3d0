# expect: rearranged
# says: Your output equals rearrange(x, 'b n (d h) -> b h n d')
from einops import rearrange


def split_heads(x, num_heads):
    # splits D as (d h): every head gets a strided slice of the features
    return rearrange(x, "b n (d h) -> b h n d", h=num_heads)
