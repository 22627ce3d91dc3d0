def unflatten_leading(x, d1):
    # splitting one axis never needs a copy, so view works on any layout
    n, d3, d4 = x.shape
    return x.view(d1, n // d1, d3, d4)
