# expect: error
def merge_heads(x):
    b, h, n, d = x.shape
    # after the transpose the memory is not contiguous, and view cannot merge h and d
    return x.transpose(1, 2).view(b, n, h * d)
