import torch


def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    d = expert_outputs.shape[-1]
    # one (1, K) @ (K, D) product per token
    mixed = torch.bmm(top_k_weights.reshape(b * s, 1, k), expert_outputs.reshape(b * s, k, d))
    return mixed.reshape(b, s, d)
