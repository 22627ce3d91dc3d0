# expect: rearranged
# says: Your output equals rearrange(x, '(d2 d1) d3 d4 -> d1 d2 d3 d4')
def unflatten_leading(x, d1):
    n, d3, d4 = x.shape
    # splits as (d2 d1), then swaps: the right shape, but d1 was the fast axis
    return x.reshape(n // d1, d1, d3, d4).transpose(0, 1)
