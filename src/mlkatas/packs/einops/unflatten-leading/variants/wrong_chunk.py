# expect: type
# says: Your output equals `torch.chunk(x, d1)`
import torch


def unflatten_leading(x, d1):
    # the pieces are right, but they come back as a tuple
    return torch.chunk(x, d1)
