def flatten_leading(x):
    return x.flatten(0, 1)
