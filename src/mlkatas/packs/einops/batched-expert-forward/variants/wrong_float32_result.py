# expect: dtype
import torch


def batched_expert_forward(dispatched_tokens, expert_weights):
    # computes in float32 and forgets to give the result the inputs' dtype back
    return torch.bmm(dispatched_tokens.float(), expert_weights.float())
