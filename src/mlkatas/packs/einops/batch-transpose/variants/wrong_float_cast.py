# expect: dtype
def batch_transpose(x):
    return x.float().transpose(1, 2)
