# expect: shape
# says: Your output is x reshaped
def split_heads(x, num_heads):
    b, n, d = x.shape
    return x.reshape(b, n, num_heads, d // num_heads)
