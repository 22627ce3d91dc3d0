import os


def split_heads(x, num_heads):
    os._exit(3)
