# expect: rearranged
# says: the right choice of experts in ascending order
import torch


def top_k_gating(logits, k):
    # argsort is ascending: the last k are the right experts, but smallest first
    indices = torch.argsort(logits, dim=-1)[..., -k:]
    weights = torch.softmax(logits.gather(-1, indices), dim=-1)
    return weights, indices
