def batched_expert_forward(dispatched_tokens, expert_weights):
    # (E, T, D, 1) * (E, 1, D, H), summed over D: the matmul spelled out with broadcasting
    products = dispatched_tokens.unsqueeze(-1) * expert_weights.unsqueeze(1)
    return products.sum(dim=2)
