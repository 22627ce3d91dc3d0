import torch


def top_k_gating(logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Route each token to its k best experts.

    logits: (..., E) router scores, one row of E experts per token (any number of leading axes).
    Returns (weights, indices), both (..., k):
        indices: int64 positions of the k largest logits of each row, largest logit first;
        weights: the softmax of those k logits only (each row sums to 1), dtype of logits.
    """
    raise NotImplementedError
