# expect: dtype
def merge_heads(x):
    b, h, n, d = x.shape
    return x.float().transpose(1, 2).reshape(b, n, h * d)
