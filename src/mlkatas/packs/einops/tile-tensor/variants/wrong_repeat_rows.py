# expect: shape
# says: Your output equals `x.repeat(batch_size, 1)`
def tile_batch(x, batch_size):
    # one count per existing axis: the rows get longer, no batch axis appears
    return x.repeat(batch_size, 1)
