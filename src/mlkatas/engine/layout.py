"""Memory layouts of tensors, shared by the suite (copying test inputs) and the wire (sending them)."""

from __future__ import annotations

import torch


def non_overlapping(t: torch.Tensor) -> bool:
    """Every element at an address of its own (no stride 0 over a dimension longer than 1): a
    layout that empty_strided can rebuild, so a copy keeps the input's strides."""
    return all(s > 0 for s, n in zip(t.stride(), t.shape, strict=True) if n > 1)


def storage_span(shape, stride) -> int:
    """Elements of storage a strided tensor reaches, from its first element to its last."""
    if 0 in shape:
        return 0
    return 1 + sum((n - 1) * s for n, s in zip(shape, stride, strict=True))
