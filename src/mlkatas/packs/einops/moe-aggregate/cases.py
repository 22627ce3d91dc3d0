"""Cases for moe-aggregate: sizes B, S, K (experts per token), D (features), E (experts).

expert_outputs is (B*S*K, D) in (b s k) row order. Indices are int64 in [0, E): usually K distinct
experts per token, sometimes with repeats (they must not matter). Weights are positive and usually
do not sum to 1 over k; some cases use softmax-normalised weights, the common MoE setting.
"""

import torch

FLOATS = ("float32", "float64", "bfloat16")


def _indices(g, b, s, k, e):
    if k <= e and g.chance(0.7):
        chosen = torch.argsort(g.rand((b, s, e)), dim=-1)[..., :k]  # k distinct experts per token
    else:
        chosen = g.randint(0, e, (b, s, k))  # repeats allowed
    out = g.tensor((b, s, k), "int64", low=0, high=e, name="top_k_indices")
    out.copy_(chosen)
    return out


def _weights(g, b, s, k, dtype):
    out = g.tensor((b, s, k), dtype, low=0.05, high=1.0, name="top_k_weights")
    if g.chance(0.3):
        out.copy_(torch.softmax(g.randn((b, s, k), torch.float64), dim=-1))
    return out


def example(g):
    b, s, k, d, e = g.size("B", 2), g.size("S", 3), g.size("K", 2), g.size("D", 4), g.size("E", 5)
    expert_outputs = g.tensor((b * s * k, d), "float32", layout="contiguous", name="expert_outputs")
    chosen = torch.argsort(g.rand((b, s, e)), dim=-1)[..., :k]
    weights = g.tensor((b, s, k), "float32", low=0.05, high=1.0, layout="contiguous", name="top_k_weights")
    return g.case(expert_outputs, chosen, weights)


def hidden(g):
    b, s, k = g.size("B", 1, 3), g.size("S", 1, 6), g.size("K", 1, 4)
    d, e = g.size("D", 1, 8), g.size("E", 1, 8)
    dtype = g.dtype(FLOATS)
    expert_outputs = g.tensor((b * s * k, d), dtype, name="expert_outputs")
    indices = _indices(g, b, s, k, e)
    return g.case(expert_outputs, indices, _weights(g, b, s, k, dtype))


def _per_choice(expert_outputs, weights):
    b, s, k = weights.shape
    return expert_outputs.reshape(b, s, k, -1)


def _k_major(expert_outputs, indices, weights):
    b, s, k = weights.shape
    per_choice = expert_outputs.reshape(k, b, s, -1).permute(1, 2, 0, 3)
    return (per_choice * weights[..., None]).sum(2)


def _renormalised(expert_outputs, indices, weights):
    w = weights / weights.sum(-1, keepdim=True)
    return (_per_choice(expert_outputs, weights) * w[..., None]).sum(2)


def _softmaxed(expert_outputs, indices, weights):
    w = torch.softmax(weights, dim=-1)
    return (_per_choice(expert_outputs, weights) * w[..., None]).sum(2)


def _unweighted(expert_outputs, indices, weights):
    return _per_choice(expert_outputs, weights).sum(2)


def _mean(expert_outputs, indices, weights):
    return _per_choice(expert_outputs, weights).mean(2)


MISTAKES = [
    (
        "expert id as row",
        lambda rows, indices, weights: (rows[indices] * weights.unsqueeze(-1)).sum(dim=2),
        "You used each expert id as a row number of expert_outputs; its rows are per (token, choice), "
        "token-major: row (b*S + s)*K + k, whatever expert was chosen",
    ),
    (
        "k-major",
        _k_major,
        "This matches reading the rows in (k b s) order; they are token-major, (b s k): the K rows "
        "of one token are next to each other",
    ),
    (
        "renormalised",
        _renormalised,
        "This matches weights divided by their sum; use top_k_weights exactly as given, they need not sum to 1",
    ),
    (
        "softmaxed",
        _softmaxed,
        "This matches a softmax applied to the weights; they are already the final mixing weights, use them as given",
    ),
    ("unweighted", _unweighted, "This matches a plain sum over the K choices; multiply each row by its weight first"),
    ("mean", _mean, "This matches a plain mean over the K choices; the weights say how much each choice counts"),
]
