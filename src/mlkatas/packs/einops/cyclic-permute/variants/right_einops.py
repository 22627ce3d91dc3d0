from einops import rearrange


def cyclic_permute(x):
    return rearrange(x, "a b c d -> d a b c")
