import torch


def top_k_gating(logits, k):
    top, indices = logits.topk(k, dim=-1)
    shifted = top - top[..., :1]  # the first one is the largest: exp never overflows
    exps = shifted.exp()
    return exps / exps.sum(dim=-1, keepdim=True), indices
