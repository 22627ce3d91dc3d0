# expect: values
def batched_expert_forward(dispatched_tokens, expert_weights):
    # broadcasting one weight matrix over all experts
    return dispatched_tokens @ expert_weights[0]
