# expect: shape
def batch_transpose(x):
    # swaps the batch axis with the rows instead of rows with columns
    return x.transpose(0, 1)
