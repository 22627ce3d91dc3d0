import torch
from einops import einsum, rearrange


def aggregate_expert_outputs(
    expert_outputs: torch.Tensor, top_k_indices: torch.Tensor, top_k_weights: torch.Tensor
) -> torch.Tensor:
    b, s, k = top_k_weights.shape
    per_choice = rearrange(expert_outputs, "(b s k) d -> b s k d", b=b, s=s, k=k)
    # the indices only say which expert made each row; the rows are already in (b s k) order
    return einsum(per_choice, top_k_weights, "b s k d, b s k -> b s d")
