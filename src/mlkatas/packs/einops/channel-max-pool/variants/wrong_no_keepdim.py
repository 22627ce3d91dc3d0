# expect: shape
def channel_max_pool(x):
    return x.amax(dim=1)
