# expect: rearranged
# says: split as (n e) instead of (e n)
import torch
from einops import rearrange


def group_tokens_by_expert(tokens, expert_assignments, num_experts):
    flat = rearrange(tokens, "b s d -> (b s) d")
    order = torch.argsort(rearrange(expert_assignments, "b s -> (b s)"), stable=True)
    # the expert axis is taken as the fast one: rows get every E-th sorted token
    return rearrange(flat[order], "(n e) d -> e n d", e=num_experts)
