import torch
from einops import rearrange


def group_tokens_by_expert(
    tokens: torch.Tensor, expert_assignments: torch.Tensor, num_experts: int
) -> torch.Tensor:
    flat_tokens = rearrange(tokens, "b s d -> (b s) d")
    flat_experts = rearrange(expert_assignments, "b s -> (b s)")
    # a stable sort keeps the tokens of one expert in their original order
    order = torch.argsort(flat_experts, stable=True)
    return rearrange(flat_tokens[order], "(e n) d -> e n d", e=num_experts)
