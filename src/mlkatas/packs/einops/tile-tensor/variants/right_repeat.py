def tile_batch(x, batch_size):
    # one count per output axis; repeat adds the missing leading axis itself
    return x.repeat(batch_size, 1, 1)
