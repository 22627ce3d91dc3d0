def merge_heads(x):
    b, h, n, d = x.shape
    # the idiom of many attention implementations: make the memory match, then view
    return x.permute(0, 2, 1, 3).contiguous().view(b, n, h * d)
