import torch


def top_k_gating(logits, k):
    ordered, order = torch.sort(logits, dim=-1, descending=True)
    top, indices = ordered[..., :k], order[..., :k]
    return torch.softmax(top, dim=-1), indices
