import torch
from einops import rearrange


def stack_tensors(tensors: list[torch.Tensor]) -> torch.Tensor:
    # einops stacks a list of tensors along a new first axis before applying the pattern
    return rearrange(tensors, "n h w -> n h w")
