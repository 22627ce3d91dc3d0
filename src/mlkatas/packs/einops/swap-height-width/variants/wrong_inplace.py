# expect: mutated_input
def swap_height_width(x):
    # transpose_ rewrites the caller's tensor
    return x.transpose_(2, 3)
