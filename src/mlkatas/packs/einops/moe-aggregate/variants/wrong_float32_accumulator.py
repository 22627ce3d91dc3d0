# expect: dtype
import torch


def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    per_choice = expert_outputs.reshape(b, s, k, -1)
    out = torch.zeros(b, s, per_choice.shape[-1])  # float32, whatever the inputs are
    for j in range(k):
        out += top_k_weights[:, :, j, None] * per_choice[:, :, j]
    return out
