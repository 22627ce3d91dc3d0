# expect: error
def global_average_pool(x):
    b, c, h, w = x.shape
    # view needs H and W to be mergeable in memory; a non-contiguous x breaks it
    return x.view(b, c, h * w).mean(dim=-1)
