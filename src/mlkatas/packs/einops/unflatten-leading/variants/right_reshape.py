def unflatten_leading(x, d1):
    return x.reshape(d1, -1, *x.shape[1:])
