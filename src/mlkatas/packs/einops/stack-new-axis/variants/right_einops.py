from einops import rearrange


def stack_tensors(tensors):
    return rearrange(tensors, "n h w -> n h w")
