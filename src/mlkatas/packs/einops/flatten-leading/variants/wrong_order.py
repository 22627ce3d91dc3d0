# expect: rearranged
# says: Your output equals rearrange(x, 'd1 d2 d3 d4 -> (d2 d1) d3 d4')
def flatten_leading(x):
    d1, d2, d3, d4 = x.shape
    # the transpose makes the first axis run fastest: row j * D1 + i instead of i * D2 + j
    return x.transpose(0, 1).reshape(d1 * d2, d3, d4)
