# expect: mutated_input
def cyclic_permute(x):
    # two steps, the first in place: (d4, d2, d3, d1), then move d1 to position 1
    x.transpose_(0, 3)
    return x.permute(0, 3, 1, 2)
