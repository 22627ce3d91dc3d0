def batch_transpose(x):
    # .mT transposes the last two axes of any batch of matrices
    return x.mT
