def batched_expert_forward(dispatched_tokens, expert_weights):
    # @ on 3-D tensors is a batched matmul over the leading axis
    return dispatched_tokens @ expert_weights
