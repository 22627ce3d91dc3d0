# expect: rearranged
# says: Your output is x reshaped
def pixel_unshuffle(x, downscale_factor):
    s = downscale_factor
    b, c, h, w = x.shape
    # the right shape, but a reshape never moves an element
    return x.reshape(b, c * s * s, h // s, w // s)
