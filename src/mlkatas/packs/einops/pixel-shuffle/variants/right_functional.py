import torch


def pixel_shuffle(x, upscale_factor):
    return torch.nn.functional.pixel_shuffle(x, upscale_factor)
