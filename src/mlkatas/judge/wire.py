"""Plain data across the judge's trust boundary: JSON headers plus raw tensor bytes.

Nothing here unpickles or evaluates anything: a tensor travels as dtype, shape, strides and its
bytes, and the reader rebuilds it with torch.frombuffer. The reader caps how many bytes it
accepts, so a child cannot flood its parent.

A frame is: 8-byte big-endian header length, the UTF-8 JSON header, then the blobs the header
lists (their lengths are in header["blobs"]).
"""

from __future__ import annotations

import json
import math
import socket
import struct
from typing import Any

import torch

_LEN = struct.Struct(">Q")
_DTYPES = {
    name: getattr(torch, name)
    for name in (
        "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
        "uint8", "int8", "int16", "int32", "int64", "bool",
    )
}


class WireError(Exception):
    """A frame that is malformed or larger than allowed."""


def _float(value: float) -> dict:
    # JSON has no inf/nan: those travel as text
    return {"t": "py", "v": value} if math.isfinite(value) else {"t": "float", "v": repr(value)}


def encode(value: Any, blobs: list[bytes], *, keep_strides: bool = False, depth: int = 0) -> Any:
    """Describe `value` as JSON, appending tensor bytes to `blobs`. Unknown objects become a
    description of their type (the child never sends objects, only what they look like)."""
    if depth > 20:
        return {"t": "other", "type": "deeply nested value"}
    if isinstance(value, torch.Tensor):
        return _encode_tensor(value, blobs, keep_strides)
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            return {"t": "other", "type": "int (too large)"}
        if isinstance(value, str) and len(value) > 10_000:
            return {"t": "other", "type": "str (too long)"}
        return {"t": "py", "v": value}
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (tuple, list)) and len(value) <= 10_000:
        kind = "list" if isinstance(value, list) else "tuple"
        return {"t": kind, "items": [encode(v, blobs, keep_strides=keep_strides, depth=depth + 1) for v in value]}
    return {"t": "other", "type": _type_name(value)}


def _type_name(value: Any) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__qualname__", "object")
    return name if module in ("builtins", "") else f"{module}.{name}"


def _encode_tensor(t: torch.Tensor, blobs: list[bytes], keep_strides: bool) -> dict:
    # Plain-tensor methods only: a subclass cannot choose what is sent about it.
    plain = torch.Tensor.detach(t)
    if plain.device.type != "cpu":
        plain = plain.cpu()
    dtype = str(plain.dtype).removeprefix("torch.")
    if dtype not in _DTYPES:
        return {"t": "other", "type": f"tensor of dtype {dtype}"}
    header: dict[str, Any] = {"t": "tensor", "dtype": dtype, "shape": list(plain.shape), "blob": len(blobs)}
    if keep_strides and not plain.is_contiguous() and _non_overlapping(plain):
        header["stride"] = list(plain.stride())
    contiguous = plain.contiguous()
    blobs.append(contiguous.reshape(-1).view(torch.uint8).numpy().tobytes() if contiguous.numel() else b"")
    header["subclass"] = type(t) is not torch.Tensor and not isinstance(t, torch.nn.Parameter)
    return header


def _non_overlapping(t: torch.Tensor) -> bool:
    return all(s > 0 for s, n in zip(t.stride(), t.shape) if n > 1)


def decode(desc: Any, blobs: list[bytes]) -> Any:
    """Rebuild a value from its description. Objects described as "other" come back as Opaque."""
    if not isinstance(desc, dict) or "t" not in desc:
        raise WireError(f"malformed value description: {str(desc)[:80]}")
    kind = desc["t"]
    if kind == "py":
        return desc["v"]
    if kind == "float":
        return float(desc["v"])
    if kind in ("list", "tuple"):
        items = [decode(d, blobs) for d in desc["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "tensor":
        return _decode_tensor(desc, blobs)
    if kind == "other":
        return Opaque(str(desc.get("type", "object")))
    raise WireError(f"unknown value kind {kind!r}")


def _decode_tensor(desc: dict, blobs: list[bytes]) -> torch.Tensor:
    dtype = _DTYPES.get(desc.get("dtype"))
    if dtype is None:
        raise WireError(f"unknown dtype {desc.get('dtype')!r}")
    shape = [int(s) for s in desc["shape"]]
    if any(s < 0 for s in shape):
        raise WireError("negative size in a tensor's shape")
    raw = blobs[int(desc["blob"])]
    numel = math.prod(shape)
    itemsize = torch.empty((), dtype=dtype).element_size()
    if len(raw) != numel * itemsize:
        raise WireError(f"tensor of shape {tuple(shape)} needs {numel * itemsize} bytes, got {len(raw)}")
    flat = torch.frombuffer(bytearray(raw), dtype=dtype) if numel else torch.empty(0, dtype=dtype)
    data = flat.reshape(shape)
    if "stride" in desc:  # rebuild the same memory layout, e.g. a non-contiguous test input
        strided = torch.empty_strided(shape, [int(s) for s in desc["stride"]], dtype=dtype)
        strided.copy_(data)
        return strided
    return data


class Opaque:
    """Stands for an object the child could not send as data (its type name only)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


# -- framing over a stream socket -----------------------------------------------------------------
def send_frame(sock: socket.socket, header: dict, blobs: list[bytes] = ()) -> None:
    header = {**header, "blobs": [len(b) for b in blobs]}
    raw = json.dumps(header, allow_nan=False).encode()
    sock.sendall(_LEN.pack(len(raw)) + raw)
    for blob in blobs:
        if blob:
            sock.sendall(blob)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, remaining = [], n
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket, max_bytes: int) -> tuple[dict, list[bytes]]:
    """Read one frame; WireError if it is malformed or would exceed `max_bytes` in all."""
    (length,) = _LEN.unpack(_recv_exact(sock, _LEN.size))
    if length > min(max_bytes, 16 << 20):
        raise WireError(f"a message header of {length} bytes is larger than allowed")
    try:
        header = json.loads(_recv_exact(sock, length))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"malformed message header: {exc}") from None
    sizes = header.get("blobs", []) if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise WireError("malformed blob list")
    if length + sum(sizes) > max_bytes:
        raise WireError(f"the data sent ({length + sum(sizes)} bytes) is larger than the limit of {max_bytes} bytes")
    return header, [_recv_exact(sock, s) if s else b"" for s in sizes]
