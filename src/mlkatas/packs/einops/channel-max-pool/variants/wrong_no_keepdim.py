# expect: shape
# says: The channel axis vanished
def channel_max_pool(x):
    return x.amax(dim=1)
