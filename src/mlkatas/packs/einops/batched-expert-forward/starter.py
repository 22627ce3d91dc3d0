import torch
from einops import einsum


def batched_expert_forward(dispatched_tokens: torch.Tensor, expert_weights: torch.Tensor) -> torch.Tensor:
    """Run every expert's linear layer on its own tokens, all experts at once.

    dispatched_tokens: (E, T, D), the T tokens sent to each of the E experts.
    expert_weights: (E, D, H), one weight matrix per expert (no bias).
    Returns (E, T, H) with out[e] = dispatched_tokens[e] @ expert_weights[e].
    Rule: one batched operation, no Python loop over the experts.
    """
    raise NotImplementedError
