"""Short, readable descriptions of shapes, values and case inputs for feedback messages.

The views use these too, in commands that never load torch (`mlkatas list` answers at once), so
this module does not import torch: a value can only be a tensor once something else has.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def fmt_shape(shape) -> str:
    """`(2, 3)`, `(5,)`, `()`: a shape as Python writes the tuple."""
    dims = tuple(int(s) for s in shape)
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


def fmt_dtype(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def fmt_scalar(value: Any) -> str:
    if _is_tensor(value):
        value = value.item()
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def describe_value(value: Any) -> str:
    """What a value is, in a few words: `tensor float32 (2, 3)`, `list of 3 tensors`, `None`."""
    if value is None:
        return "None"
    if _is_tensor(value):
        return f"tensor {fmt_dtype(value.dtype)} {fmt_shape(value.shape)}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        noun = "tensor" if value and all(_is_tensor(v) for v in value) else "item"
        return f"{kind} of {len(value)} {noun}" + ("s" if len(value) != 1 else "")
    type_name = getattr(value, "type_name", None)  # wire.Opaque
    if type_name:
        return "generator" if "generator" in type_name else type_name
    if isinstance(value, bool):
        return f"bool {value}"
    if isinstance(value, (int, float)):
        return f"{type(value).__name__} {value!r}"
    return type(value).__name__


def describe_arg(name: str, value: Any) -> str:
    if _is_tensor(value):
        return f"{name}: {fmt_dtype(value.dtype)} {fmt_shape(value.shape)}"
    if isinstance(value, (list, tuple)) and value and all(_is_tensor(v) for v in value):
        first = value[0]
        count = f"{len(value)} tensor" + ("s" if len(value) != 1 else "")
        return f"{name}: {type(value).__name__} of {count}, each {fmt_dtype(first.dtype)} {fmt_shape(first.shape)}"
    if isinstance(value, (int, float, bool)) or value is None:
        return f"{name}={value!r}"
    return f"{name}: {describe_value(value)}"


def describe_case(case, arg_names: list[str]) -> str:
    """The inputs of a case, e.g. `x: float32 (2, 5, 12), num_heads=3; sizes B=2 N=5`."""
    names = list(arg_names) + [f"arg{i}" for i in range(len(arg_names), len(case.args))]
    parts = [describe_arg(n, v) for n, v in zip(names, case.args, strict=False)]
    text = ", ".join(parts)
    if case.init:
        text = f"init({', '.join(map(repr, case.init))}); forward({text})"
    if case.layouts:
        text += "; " + "; ".join(case.layouts)
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: Any, limit: int = 20_000) -> str:
    """Text that came from the learner's process, made safe to show and store: valid UTF-8 (lone
    surrogates replaced), no NUL or terminal control characters, at most `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + f" [... {len(text) - limit} more characters cut]"
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("\ufffd", text)
