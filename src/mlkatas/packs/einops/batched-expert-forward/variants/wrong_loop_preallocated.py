# expect: rule
# says: A loop over the experts was detected
import torch


def batched_expert_forward(dispatched_tokens, expert_weights):
    e, t, _ = dispatched_tokens.shape
    out = dispatched_tokens.new_empty(e, t, expert_weights.shape[-1])
    for i in range(e):
        torch.mm(dispatched_tokens[i], expert_weights[i], out=out[i])
    return out
