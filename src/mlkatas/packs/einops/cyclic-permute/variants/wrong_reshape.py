# expect: rearranged
# says: Your output is x reshaped
def cyclic_permute(x):
    d1, d2, d3, d4 = x.shape
    return x.reshape(d4, d1, d2, d3)
