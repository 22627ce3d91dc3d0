from einops import rearrange


def unflatten_leading(x, d1):
    return rearrange(x, "(a b) c d -> a b c d", a=d1)
