import torch


def top_k_gating(logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    top_logits, indices = torch.topk(logits, k, dim=-1)  # sorted: largest first
    weights = torch.softmax(top_logits, dim=-1)  # normalise over the k chosen experts only
    return weights, indices
