import torch


def group_tokens_by_expert(tokens, expert_assignments, num_experts):
    d = tokens.shape[-1]
    flat = tokens.reshape(-1, d)
    experts = expert_assignments.reshape(-1)
    # boolean-mask indexing keeps the order of the selected rows
    return torch.stack([flat[experts == e] for e in range(num_experts)])
