# expect: error
def flatten_leading(x):
    d1, d2, d3, d4 = x.shape
    # fine on contiguous inputs, an error when D1 and D2 cannot share one stride
    return x.view(d1 * d2, d3, d4)
