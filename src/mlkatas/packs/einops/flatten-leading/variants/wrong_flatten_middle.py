# expect: shape
# says: Your output equals `x.flatten(1, 2)`
def flatten_leading(x):
    # counts axes from 1
    return x.flatten(1, 2)
