# expect: shape
# says: as if the image were channels-last
def global_average_pool(x):
    # averages axes 1 and 2 as if x were (B, H, W, C)
    return x.mean(dim=(1, 2))
