from einops import rearrange


def split_head(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
