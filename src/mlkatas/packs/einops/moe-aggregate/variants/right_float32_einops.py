import torch
from einops import einsum, rearrange


def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    # accumulate in at least float32 (bfloat16 goes up, float64 stays), then give the dtype back
    work = torch.promote_types(expert_outputs.dtype, torch.float32)
    per_choice = rearrange(expert_outputs.to(work), "(b s k) d -> b s k d", b=b, s=s, k=k)
    out = einsum(per_choice, top_k_weights.to(work), "b s k d, b s k -> b s d")
    return out.to(expert_outputs.dtype)
