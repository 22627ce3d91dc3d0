# expect: rule
# says: A loop over the experts was detected
import torch


def batched_expert_forward(dispatched_tokens, expert_weights):
    outputs = []
    for tokens, weights in zip(dispatched_tokens, expert_weights, strict=True):
        outputs.append((tokens.unsqueeze(-1) * weights.unsqueeze(0)).sum(dim=1))
    return torch.stack(outputs)
