# expect: mutated_input
def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    per_choice = expert_outputs.reshape(b, s, k, -1)  # a view of the caller's tensor when it can be
    per_choice *= top_k_weights.unsqueeze(-1)  # ...so this scales the caller's expert_outputs
    return per_choice.sum(dim=2)
