# expect: shape
# says: the first axis went to the back, the opposite rotation
def cyclic_permute(x):
    # reads permute as "where does each axis go": rotates the wrong way
    return x.permute(1, 2, 3, 0)
