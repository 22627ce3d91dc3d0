from einop import rearrange


def split_heads(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
