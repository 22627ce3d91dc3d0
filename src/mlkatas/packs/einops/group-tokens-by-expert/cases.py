"""Cases for group-tokens-by-expert: sizes B, S, D, E (experts) and n = B*S // E (tokens per expert).

Every case is balanced: each expert gets exactly n tokens, at random (scattered) positions.
"""

import torch

DTYPES = ("float32", "float64", "bfloat16", "int64", "int32")


def _divisors(m):
    return [d for d in range(1, m + 1) if m % d == 0]


def _balanced_assignments(g, b, s, e):
    """(b, s) int64 in [0, e): every expert appears b*s // e times, in a random order."""
    experts = torch.arange(e).repeat_interleave(b * s // e)
    shuffled = experts[g.randperm(b * s)].reshape(b, s)
    # draw a tensor for its layout (sometimes non-contiguous), then fill in the assignment
    out = g.tensor((b, s), "int64", low=0, high=e, name="expert_assignments")
    out.copy_(shuffled)
    return out


def example(g):
    g.size("B", 2), g.size("S", 4), g.size("D", 8), g.size("E", 2), g.size("n", 4)
    tokens = torch.arange(2 * 4 * 8, dtype=torch.float32).reshape(2, 4, 8)
    assignments = torch.tensor([[1, 0, 0, 1], [0, 1, 1, 0]])
    return g.case(tokens, assignments, 2)


def hidden(g):
    e = g.size("E", 2, 8) if g.chance(0.9) else g.size("E", 1)
    n = g.size("n", 1, 8)
    b = g.size("B", g.choice([x for x in _divisors(e * n) if x <= 8]))
    s = g.size("S", e * n // b)
    d = g.size("D", 1, 8)
    tokens = g.tensor((b, s, d), g.dtype(DTYPES), name="tokens")
    return g.case(tokens, _balanced_assignments(g, b, s, e), e)


def _flat(tokens, assignments):
    return tokens.reshape(-1, tokens.shape[-1]), assignments.reshape(-1)


def _ignore_assignments(tokens, assignments, num_experts):
    flat, _ = _flat(tokens, assignments)
    return flat.reshape(num_experts, -1, flat.shape[-1])


def _unstable(tokens, assignments, num_experts):
    flat, experts = _flat(tokens, assignments)
    return flat[torch.argsort(experts)].reshape(num_experts, -1, flat.shape[-1])


def _split_n_e(tokens, assignments, num_experts):
    flat, experts = _flat(tokens, assignments)
    grouped = flat[torch.argsort(experts, stable=True)]
    return grouped.reshape(-1, num_experts, flat.shape[-1]).transpose(0, 1)


MISTAKES = [
    (
        "unstable-sort",
        _unstable,
        "This is what an unstable sort gives: torch.sort / torch.argsort may reorder tokens that share "
        "an expert, so pass stable=True (tokens of one expert must stay in increasing position b*S + s)",
    ),
    (
        "ignore-assignments",
        _ignore_assignments,
        "This is `tokens` cut into equal blocks in their original order: expert_assignments must decide "
        "which row each token goes to",
    ),
    (
        "split-n-e",
        _split_n_e,
        "The tokens were sorted by expert but split as (n e) instead of (e n): expert e's tokens form "
        "one consecutive block of the sorted list",
    ),
]
