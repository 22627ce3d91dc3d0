# expect: rule
# says: A loop over the experts was detected
import torch


def batched_expert_forward(dispatched_tokens, expert_weights):
    # right values, but one matmul per expert
    return torch.stack([dispatched_tokens[e] @ expert_weights[e] for e in range(dispatched_tokens.shape[0])])
