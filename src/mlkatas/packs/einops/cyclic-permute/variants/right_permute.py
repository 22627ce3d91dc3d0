def cyclic_permute(x):
    return x.permute(3, 0, 1, 2)
