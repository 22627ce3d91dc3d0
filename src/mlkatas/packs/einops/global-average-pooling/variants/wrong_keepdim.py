# expect: shape
# says: You kept the pooled axes as size 1
def global_average_pool(x):
    return x.mean(dim=(2, 3), keepdim=True)
