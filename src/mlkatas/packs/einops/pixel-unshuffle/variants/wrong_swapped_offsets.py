# expect: rearranged
# says: Your row and column offsets are swapped
def pixel_unshuffle(x, downscale_factor):
    s = downscale_factor
    b, c, hs, ws = x.shape
    h, w = hs // s, ws // s
    blocks = x.reshape(b, c, h, s, w, s)  # b c h i w j
    # the column offset j is placed before the row offset i
    return blocks.permute(0, 1, 5, 3, 2, 4).reshape(b, c * s * s, h, w)
