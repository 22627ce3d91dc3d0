# expect: rearranged
# says: You put the block offsets before the channel
from einops import rearrange


def pixel_unshuffle(x, downscale_factor):
    # the block offsets end up in front of the channel: (s1 s2 c) instead of (c s1 s2)
    s = downscale_factor
    return rearrange(x, "b c (h s1) (w s2) -> b (s1 s2 c) h w", s1=s, s2=s)
