# expect: rearranged
# says: holds the right values in another order; the kata wants each row in descending order
import torch


def top_k_gating(logits, k):
    # sorted=False: the right k experts, in whatever order the kernel found them
    values, indices = torch.topk(logits, k, dim=-1, sorted=False)
    return torch.softmax(values, dim=-1), indices
