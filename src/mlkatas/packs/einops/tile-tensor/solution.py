import torch
from einops import repeat


def tile_batch(x: torch.Tensor, batch_size: int) -> torch.Tensor:
    return repeat(x, "h w -> b h w", b=batch_size)
