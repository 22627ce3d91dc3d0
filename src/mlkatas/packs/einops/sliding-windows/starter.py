import torch
from einops import rearrange


def create_sliding_windows(x: torch.Tensor, window_size: int, step: int) -> torch.Tensor:
    """Cut x (B, N, D) into windows: return (B * W, window_size, D) with W = (N - window_size) // step + 1.

    Row b * W + w holds x[b, w * step : w * step + window_size]; a tail too short for a window is dropped.
    """
    raise NotImplementedError
