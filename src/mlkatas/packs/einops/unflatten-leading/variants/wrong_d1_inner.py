# expect: shape
# says: d1 was used as the size of the inner axis
def unflatten_leading(x, d1):
    # takes d1 for the size of the second axis
    return x.reshape(-1, d1, *x.shape[1:])
