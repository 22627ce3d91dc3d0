import torch
from einops import rearrange


def group_tokens_by_expert(
    tokens: torch.Tensor, expert_assignments: torch.Tensor, num_experts: int
) -> torch.Tensor:
    """Group tokens (B, S, D) by their expert: return (num_experts, B*S // num_experts, D).

    expert_assignments (B, S) holds each token's expert in [0, num_experts). Row e of the result
    holds the tokens of expert e, ordered by their flattened position b*S + s.
    """
    raise NotImplementedError
