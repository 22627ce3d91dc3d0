# expect: rearranged
# says: Your output is x reshaped
def swap_height_width(x):
    b, c, h, w = x.shape
    # the shape is right, but reshape never moves a pixel
    return x.reshape(b, c, w, h)
