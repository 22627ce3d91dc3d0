def tile_batch(x, batch_size):
    # a broadcast view: all copies share x's memory, nothing is copied
    return x.unsqueeze(0).expand(batch_size, -1, -1)
