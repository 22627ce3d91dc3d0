# expect: values
# says: The weights match a softmax over all E experts
import torch


def top_k_gating(logits, k):
    # normalises over all E experts before choosing, so the k weights do not sum to 1
    probs = torch.softmax(logits, dim=-1)
    weights, indices = torch.topk(probs, k, dim=-1)
    return weights, indices
