# expect: shape
def swap_height_width(x):
    # counts axes from 1: swaps channels with height
    return x.transpose(1, 2)
