# expect: dtype
import torch


def top_k_gating(logits, k):
    top, indices = torch.topk(logits, k, dim=-1)
    # dtype= makes the softmax compute in float32, and the result stays float32
    return torch.softmax(top, dim=-1, dtype=torch.float32), indices
