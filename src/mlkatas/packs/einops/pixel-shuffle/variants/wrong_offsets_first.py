# expect: rearranged
# says: You read the channel axis as (s1 s2 c)
from einops import rearrange


def pixel_shuffle(x, upscale_factor):
    # reads the channels as (s1 s2 c): the depth_to_space order of TensorFlow, not PyTorch's
    s = upscale_factor
    return rearrange(x, "b (s1 s2 c) h w -> b c (h s1) (w s2)", s1=s, s2=s)
