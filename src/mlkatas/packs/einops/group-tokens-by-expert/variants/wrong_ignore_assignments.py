# expect: rearranged
# says: This is `tokens` cut into equal blocks
def group_tokens_by_expert(tokens, expert_assignments, num_experts):
    # assumes the tokens already arrive grouped by expert
    return tokens.reshape(num_experts, -1, tokens.shape[-1])
