def swap_height_width(x):
    return x.transpose(-1, -2)
