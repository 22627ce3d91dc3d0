# expect: shape
# says: This matches summing the experts' results
from einops import einsum


def batched_expert_forward(dispatched_tokens, expert_weights):
    # e is missing on the right, so einsum sums over the experts
    return einsum(dispatched_tokens, expert_weights, "e t d, e d h -> t h")
