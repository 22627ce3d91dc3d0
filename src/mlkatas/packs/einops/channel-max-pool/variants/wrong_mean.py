# expect: values
# says: Your output is the channel average
from einops import reduce


def channel_max_pool(x):
    return reduce(x, "b c h w -> b 1 h w", "mean")
