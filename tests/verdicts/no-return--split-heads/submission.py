def split_heads(x, num_heads):
    b, n, d = x.shape
    out = x.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)
