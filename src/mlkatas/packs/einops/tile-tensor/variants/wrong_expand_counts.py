# expect: error
def tile_batch(x, batch_size):
    # expand takes target sizes, not repeat counts: 1 cannot stand for H or W
    return x.expand(batch_size, 1, 1)
