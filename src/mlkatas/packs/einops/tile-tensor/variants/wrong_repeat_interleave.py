# expect: rearranged
# says: Your output equals `x.repeat_interleave(batch_size, dim=0)` reshaped
def tile_batch(x, batch_size):
    # repeat_interleave repeats each row in place, so the copies are scrambled
    return x.repeat_interleave(batch_size, dim=0).reshape(batch_size, *x.shape)
