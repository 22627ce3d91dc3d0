# expect: values
# says: You used each expert id as a row number of expert_outputs
def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    # treats the expert id as a row number: the rows are per (token, choice), not per expert
    picked = expert_outputs[top_k_indices]  # (B, S, K, D)
    return (picked * top_k_weights.unsqueeze(-1)).sum(dim=2)
