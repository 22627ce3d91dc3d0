from einops import rearrange


def pixel_shuffle(x, upscale_factor):
    return rearrange(x, "b (c s1 s2) h w -> b c (h s1) (w s2)", s1=upscale_factor, s2=upscale_factor)
