from einops import rearrange


def flatten_leading(x):
    return rearrange(x, "a b c d -> (a b) c d")
