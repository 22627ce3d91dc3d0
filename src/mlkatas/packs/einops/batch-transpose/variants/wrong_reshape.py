# expect: rearranged
# says: Your output is x reshaped
def batch_transpose(x):
    b, h, w = x.shape
    # right shape, but reshape keeps the memory order: rows are cut into pieces, not transposed
    return x.reshape(b, w, h)
