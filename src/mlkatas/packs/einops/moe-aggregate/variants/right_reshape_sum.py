import torch


def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    per_choice = expert_outputs.reshape(b, s, k, -1)
    return (per_choice * top_k_weights.unsqueeze(-1)).sum(dim=2)
