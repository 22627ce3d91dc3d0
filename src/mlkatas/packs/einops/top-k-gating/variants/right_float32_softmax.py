import torch


def top_k_gating(logits, k):
    top, indices = torch.topk(logits, k, dim=-1)
    work = torch.promote_types(logits.dtype, torch.float32)
    weights = torch.softmax(top.to(work), dim=-1).to(logits.dtype)
    return weights, indices
