from einops import reduce


def global_average_pool(x):
    return reduce(x, "b c h w -> b c", "mean")
