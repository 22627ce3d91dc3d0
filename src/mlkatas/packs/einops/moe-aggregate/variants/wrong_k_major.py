# expect: values
# says: This matches reading the rows in (k b s) order
from einops import einsum, rearrange


def aggregate_expert_outputs(expert_outputs, top_k_indices, top_k_weights):
    b, s, k = top_k_weights.shape
    # reads the rows as choice-major: all first choices, then all second choices...
    per_choice = rearrange(expert_outputs, "(k b s) d -> b s k d", b=b, s=s, k=k)
    return einsum(per_choice, top_k_weights, "b s k d, b s k -> b s d")
