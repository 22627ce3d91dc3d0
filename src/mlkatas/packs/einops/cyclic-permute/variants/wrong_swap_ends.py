# expect: shape
# says: Your output equals `x.transpose(0, 3)`
def cyclic_permute(x):
    # the last axis reaches the front, but the first one is sent to the back
    return x.transpose(0, 3)
