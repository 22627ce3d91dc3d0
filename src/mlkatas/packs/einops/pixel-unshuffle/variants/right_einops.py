from einops import rearrange


def pixel_unshuffle(x, downscale_factor):
    return rearrange(x, "b c (h s1) (w s2) -> b (c s1 s2) h w", s1=downscale_factor, s2=downscale_factor)
