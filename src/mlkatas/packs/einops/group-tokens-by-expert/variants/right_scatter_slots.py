import torch


def group_tokens_by_expert(tokens, expert_assignments, num_experts):
    b, s, d = tokens.shape
    experts = expert_assignments.reshape(-1)
    per_expert = b * s // num_experts
    # slot of each token inside its expert's row: how many earlier tokens share its expert
    one_hot = torch.nn.functional.one_hot(experts, num_experts)
    slot = (one_hot.cumsum(0) - 1).gather(1, experts[:, None]).squeeze(1)
    out = tokens.new_empty(num_experts, per_expert, d)
    out[experts, slot] = tokens.reshape(-1, d)
    return out
