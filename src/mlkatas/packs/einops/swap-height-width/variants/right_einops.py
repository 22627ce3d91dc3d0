from einops import rearrange


def swap_height_width(x):
    return rearrange(x, "b c h w -> b c w h")
