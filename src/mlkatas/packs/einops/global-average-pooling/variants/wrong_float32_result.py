# expect: dtype
def global_average_pool(x):
    # computes in float32 for accuracy, but never casts back to the input's dtype
    return x.float().mean(dim=(2, 3))
