# expect: shape
# says: Your output is the expected one with its axes in another order
def batch_transpose(x):
    # .T on a 3-d tensor reverses all axes, so the batch axis ends up last
    return x.T
