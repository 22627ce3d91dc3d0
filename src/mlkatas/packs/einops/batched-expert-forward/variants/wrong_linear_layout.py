# expect: error
import torch


def batched_expert_forward(dispatched_tokens, expert_weights):
    # treats the weights like nn.Linear's (out, in) layout and transposes them
    return torch.bmm(dispatched_tokens, expert_weights.transpose(1, 2))
