# expect: dtype
def cyclic_permute(x):
    return x.float().permute(3, 0, 1, 2)
