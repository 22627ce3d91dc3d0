import torch
from einops import rearrange


def create_sliding_windows(x: torch.Tensor, window_size: int, step: int) -> torch.Tensor:
    windows = x.unfold(1, window_size, step)  # (B, W, D, window_size), a view of x
    return rearrange(windows, "b w d k -> (b w) k d")
