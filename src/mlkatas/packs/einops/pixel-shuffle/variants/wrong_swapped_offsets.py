# expect: rearranged
# says: Your row and column offsets are swapped
def pixel_shuffle(x, upscale_factor):
    s = upscale_factor
    b, cs, h, w = x.shape
    c = cs // (s * s)
    grid = x.reshape(b, c, s, s, h, w)  # b c i j h w
    # j goes next to h and i next to w: rows and columns swapped inside each block
    return grid.permute(0, 1, 4, 3, 5, 2).reshape(b, c, h * s, w * s)
