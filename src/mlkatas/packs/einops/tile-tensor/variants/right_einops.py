from einops import repeat


def tile_batch(x, batch_size):
    return repeat(x, "h w -> b h w", b=batch_size)
