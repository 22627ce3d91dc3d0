# expect: mutated_input
import torch


def top_k_gating(logits, k):
    # subtracting the row maximum for stability, but in place: the caller's logits change
    logits -= logits.max(dim=-1, keepdim=True).values
    top, indices = torch.topk(logits, k, dim=-1)
    return torch.softmax(top, dim=-1), indices
