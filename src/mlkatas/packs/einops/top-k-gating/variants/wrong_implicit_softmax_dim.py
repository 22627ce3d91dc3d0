# expect: values
# says: Your softmax ran over the wrong axis
import torch
import torch.nn.functional as F


def top_k_gating(logits, k):
    top, indices = torch.topk(logits, k)
    # without dim=, PyTorch guesses the axis from the number of dimensions (dim 0 for 3-D input)
    return F.softmax(top), indices
