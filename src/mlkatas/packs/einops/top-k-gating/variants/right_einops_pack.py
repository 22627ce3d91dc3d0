import torch
from einops import pack, unpack


def top_k_gating(logits, k):
    rows, shapes = pack([logits], "* e")  # any leading axes -> one row axis
    order = torch.argsort(rows, dim=-1, descending=True)[:, :k]
    weights = torch.softmax(rows.gather(-1, order), dim=-1)
    [weights] = unpack(weights, shapes, "* k")
    [indices] = unpack(order, shapes, "* k")
    return weights, indices
