# expect: values
# says: Your output is the sum over H and W
from einops import reduce


def global_average_pool(x):
    return reduce(x, "b c h w -> b c", "sum")
