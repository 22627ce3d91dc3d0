# expect: shape
from einops import rearrange


def pixel_unshuffle(x, downscale_factor):
    # the factor is given to the grid axes h and w instead of the offsets s1 and s2
    s = downscale_factor
    return rearrange(x, "b c (h s1) (w s2) -> b (c s1 s2) h w", h=s, w=s)
