# expect: shape
# says: Your output is the expected one with its axes in another order
def swap_height_width(x):
    # counts axes from 1: swaps channels with height
    return x.transpose(1, 2)
