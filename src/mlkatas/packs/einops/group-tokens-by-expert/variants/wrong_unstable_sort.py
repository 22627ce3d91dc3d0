# expect: rearranged
# says: This is what an unstable sort gives
import torch
from einops import rearrange


def group_tokens_by_expert(tokens, expert_assignments, num_experts):
    flat = rearrange(tokens, "b s d -> (b s) d")
    # the default sort is not stable: tokens of one expert can come out in any order
    order = torch.argsort(rearrange(expert_assignments, "b s -> (b s)"))
    return rearrange(flat[order], "(e n) d -> e n d", e=num_experts)
