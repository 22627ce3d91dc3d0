# expect: rearranged
# says: You merged H as (s1 h) instead of (h s1)
from einops import rearrange


def pixel_shuffle(x, upscale_factor):
    s = upscale_factor
    return rearrange(x, "b (c s1 s2) h w -> b c (s1 h) (s2 w)", s1=s, s2=s)
