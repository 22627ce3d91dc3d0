import torch


def batched_expert_forward(dispatched_tokens, expert_weights):
    return torch.bmm(dispatched_tokens, expert_weights)
