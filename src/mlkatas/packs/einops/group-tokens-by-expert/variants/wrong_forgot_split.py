# expect: shape
# says: Read by size against the input's axes
import torch


def group_tokens_by_expert(tokens, expert_assignments, num_experts):
    flat = tokens.reshape(-1, tokens.shape[-1])
    order = torch.argsort(expert_assignments.reshape(-1), stable=True)
    # sorted, but still one long list of tokens instead of one row per expert
    return flat[order]
