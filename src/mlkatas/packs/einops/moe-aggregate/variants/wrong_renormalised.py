# expect: values
# says: This matches weights divided by their sum
from einops import einsum, rearrange


def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    per_choice = rearrange(expert_outputs, "(b s k) d -> b s k d", b=b, s=s, k=k)
    # normalises weights that are meant to be used as given
    weights = top_k_weights / top_k_weights.sum(dim=-1, keepdim=True)
    return einsum(per_choice, weights, "b s k d, b s k -> b s d")
