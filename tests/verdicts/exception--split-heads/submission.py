def split_heads(x, num_heads):
    b, n, d = x.shape
    # forgot to divide d by num_heads: four times too many elements for a view of x
    return x.view(b, num_heads, n, d)
