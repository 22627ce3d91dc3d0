# expect: mutated_input
def batch_transpose(x):
    # transpose_ swaps the axes of the caller's tensor itself
    return x.transpose_(1, 2)
