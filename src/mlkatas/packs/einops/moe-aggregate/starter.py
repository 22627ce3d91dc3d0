import torch
from einops import einsum, rearrange


def aggregate_expert_outputs(
    expert_outputs: torch.Tensor, top_k_indices: torch.Tensor, top_k_weights: torch.Tensor
) -> torch.Tensor:
    """Combine the outputs of each token's K chosen experts into one vector per token.

    expert_outputs: (B*S*K, D), token-major: row (b*S + s)*K + k is the output of the k-th expert
        chosen for token (b, s).
    top_k_indices: (B, S, K) int64, the chosen experts (they may repeat).
    top_k_weights: (B, S, K), same dtype as expert_outputs, used exactly as given.
    Returns (B, S, D): out[b, s] = sum over k of top_k_weights[b, s, k] * that row.
    """
    raise NotImplementedError
