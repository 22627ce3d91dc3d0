# expect: dtype
import torch


def group_tokens_by_expert(tokens, expert_assignments, num_experts):
    b, s, d = tokens.shape
    flat = tokens.reshape(-1, d)
    experts = expert_assignments.reshape(-1)
    # torch.zeros without dtype= makes a float32 buffer, whatever the tokens are
    out = torch.zeros(num_experts, b * s // num_experts, d)
    for e in range(num_experts):
        out[e] = flat[experts == e]
    return out
