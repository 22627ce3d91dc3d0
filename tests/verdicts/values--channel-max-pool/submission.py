from einops import reduce


def channel_max_pool(x):
    # the right axes, the wrong reduction: min where the kata takes the max
    return reduce(x, "b c h w -> b 1 h w", "min")
