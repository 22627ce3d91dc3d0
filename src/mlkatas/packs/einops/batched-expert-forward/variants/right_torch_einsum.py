import torch


def batched_expert_forward(dispatched_tokens, expert_weights):
    return torch.einsum("etd,edh->eth", dispatched_tokens, expert_weights)
