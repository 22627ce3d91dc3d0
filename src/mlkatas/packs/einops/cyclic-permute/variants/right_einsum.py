import torch


def cyclic_permute(x):
    return torch.einsum("ijkl->lijk", x)
