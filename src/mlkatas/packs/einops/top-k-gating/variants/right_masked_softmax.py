import torch


def top_k_gating(logits, k):
    top, indices = torch.topk(logits, k, dim=-1)
    # every expert that was not picked gets -inf, i.e. weight 0, in a softmax over all experts
    masked = torch.full_like(logits, float("-inf")).scatter(-1, indices, top)
    weights = torch.softmax(masked, dim=-1).gather(-1, indices)
    return weights, indices
