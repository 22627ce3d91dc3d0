import torch


def split_heads(x, num_heads):
    # 1 GiB of float32, under a limit of 512 MB (limits.json)
    big = torch.ones(2**28)
    return big
