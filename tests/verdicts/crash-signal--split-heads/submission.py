import ctypes


def split_heads(x, num_heads):
    return ctypes.string_at(0)  # reads address 0: a segmentation fault
