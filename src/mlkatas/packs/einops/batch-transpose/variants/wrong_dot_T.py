# expect: shape
def batch_transpose(x):
    # .T on a 3-d tensor reverses all axes, so the batch axis ends up last
    return x.T
