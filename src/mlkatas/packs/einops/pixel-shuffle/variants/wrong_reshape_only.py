# expect: rearranged
# says: Your output is x reshaped
def pixel_shuffle(x, upscale_factor):
    s = upscale_factor
    b, c, h, w = x.shape
    return x.view(b, c // (s * s), h * s, w * s)
