import torch
from einops import rearrange


def group_tokens_by_expert(tokens, expert_assignments, num_experts):
    flat = rearrange(tokens, "b s d -> (b s) d")
    experts = rearrange(expert_assignments, "b s -> (b s)")
    positions = torch.arange(experts.numel())
    # expert first, position second: the keys are all distinct, so any sort gives the same order
    keys = experts * experts.numel() + positions
    order = torch.sort(keys).indices
    return rearrange(flat[order], "(e n) d -> e n d", e=num_experts)
