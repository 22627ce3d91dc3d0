import torch


def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    per_choice = expert_outputs.reshape(b * s, k, -1)
    weights = top_k_weights.reshape(b * s, k)
    # a loop over the K choices (K is small): each step adds one weighted row per token
    out = torch.zeros_like(per_choice[:, 0])
    for j in range(k):
        out = out + weights[:, j : j + 1] * per_choice[:, j]
    return out.reshape(b, s, -1)
