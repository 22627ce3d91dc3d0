# expect: mutated_input
def tile_batch(x, batch_size):
    # unsqueeze_ (with the underscore) reshapes the caller's tensor itself
    x.unsqueeze_(0)
    return x.expand(batch_size, -1, -1)
