def flatten_leading(x):
    return x.contiguous().view(-1, *x.shape[2:])
