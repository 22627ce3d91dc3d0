# expect: shape
# says: Your output is the expected one with its axes in another order
def batch_transpose(x):
    # swaps the batch axis with the rows instead of rows with columns
    return x.transpose(0, 1)
