import torch
from einops import einsum


def batched_expert_forward(dispatched_tokens: torch.Tensor, expert_weights: torch.Tensor) -> torch.Tensor:
    # e is shared and kept (a batch axis); d is contracted
    return einsum(dispatched_tokens, expert_weights, "e t d, e d h -> e t h")
