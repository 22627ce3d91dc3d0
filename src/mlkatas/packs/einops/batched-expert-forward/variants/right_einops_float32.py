import torch
from einops import einsum


def batched_expert_forward(dispatched_tokens, expert_weights):
    work = torch.promote_types(dispatched_tokens.dtype, torch.float32)
    out = einsum(dispatched_tokens.to(work), expert_weights.to(work), "e t d, e d h -> e t h")
    return out.to(dispatched_tokens.dtype)
