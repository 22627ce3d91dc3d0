import torch


def top_k_gating(logits, k):
    # softmax over all experts, keep the k largest, then renormalise them to sum to 1:
    # the same numbers as a softmax over the k selected logits
    probs = torch.softmax(logits, dim=-1)
    top, indices = probs.topk(k, dim=-1)
    return top / top.sum(dim=-1, keepdim=True), indices
