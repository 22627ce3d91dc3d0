from einops import rearrange


def batch_transpose(x):
    return rearrange(x, "b h w -> b w h")
