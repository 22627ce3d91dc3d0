import torch
from einops import reduce


def global_average_pool(x: torch.Tensor) -> torch.Tensor:
    return reduce(x, "b c h w -> b c", "mean")
