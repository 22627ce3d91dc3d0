"""Cases for batched-expert-forward: sizes E (experts), T (tokens per expert), D (model), H (hidden)."""

FLOATS = ("float32", "float64", "bfloat16")


def example(g):
    e, t, d, h = g.size("E", 8), g.size("T", 128), g.size("D", 64), g.size("H", 128)
    tokens = g.tensor((e, t, d), "float32", layout="contiguous", name="dispatched_tokens")
    weights = g.tensor((e, d, h), "float32", layout="contiguous", name="expert_weights")
    return g.case(tokens, weights)


def hidden(g):
    e, t = g.size("E", 1, 6), g.size("T", 1, 8)
    d, h = g.size("D", 1, 12), g.size("H", 1, 8)
    dtype = g.dtype(FLOATS)
    tokens = g.tensor((e, t, d), dtype, name="dispatched_tokens")
    weights = g.tensor((e, d, h), dtype, name="expert_weights")
    return g.case(tokens, weights)


def rule_probes(g):
    """Same tokens-per-expert and feature sizes, 2 experts and then 9: a loop over experts shows."""
    probes = []
    for experts in (2, 9):
        g.size("E", experts), g.size("T", 3), g.size("D", 4), g.size("H", 5)
        tokens = g.tensor((experts, 3, 4), "float32", layout="contiguous", name="dispatched_tokens")
        weights = g.tensor((experts, 4, 5), "float32", layout="contiguous", name="expert_weights")
        probes.append(g.case(tokens, weights))
    return probes


def _shared_weight(tokens, weights):
    return tokens @ weights[0]


def _summed_experts(tokens, weights):
    return (tokens @ weights).sum(0)


MISTAKES = [
    (
        "shared-weight",
        _shared_weight,
        "This matches using expert_weights[0] for every expert; expert e needs its own expert_weights[e]",
    ),
    (
        "summed-experts",
        _summed_experts,
        "This matches summing the experts' results; keep the expert axis in the output: 'e t d, e d h -> e t h'",
    ),
]
