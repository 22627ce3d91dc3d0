def pixel_shuffle(x, upscale_factor):
    s = upscale_factor
    b, cs, h, w = x.shape
    c = cs // (s * s)
    grid = x.reshape(b, c, s, s, h, w)  # b c i j h w
    return grid.permute(0, 1, 4, 2, 5, 3).reshape(b, c, h * s, w * s)
