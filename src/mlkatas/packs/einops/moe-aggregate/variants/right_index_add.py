import torch


def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    d = expert_outputs.shape[-1]
    token_of_row = torch.arange(b * s).repeat_interleave(k)
    weighted = expert_outputs * top_k_weights.reshape(-1, 1)
    out = expert_outputs.new_zeros(b * s, d)
    out.index_add_(0, token_of_row, weighted)
    return out.reshape(b, s, d)
