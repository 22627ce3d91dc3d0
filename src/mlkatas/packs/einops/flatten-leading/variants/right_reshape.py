def flatten_leading(x):
    d1, d2, d3, d4 = x.shape
    return x.reshape(d1 * d2, d3, d4)
