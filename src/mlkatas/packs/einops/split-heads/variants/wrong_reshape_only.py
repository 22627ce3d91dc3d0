# expect: rearranged
# says: Your output is x reshaped
def split_heads(x, num_heads):
    b, n, d = x.shape
    # reshape straight to the target shape: no axis moves, so tokens and heads get mixed
    return x.reshape(b, num_heads, n, d // num_heads)
