def unflatten_leading(x, d1):
    return x.unflatten(0, (d1, x.shape[0] // d1))
