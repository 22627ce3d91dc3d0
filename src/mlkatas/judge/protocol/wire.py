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
import os
import socket
import struct
from typing import Any, Sequence

import torch

from mlkatas.engine.layout import non_overlapping, storage_span
from mlkatas.judge.protocol import messages as protocol

_LEN = struct.Struct(">Q")
SMALL_FRAME = 1 << 20  # blobs up to this size are joined to the header and sent at once
_DTYPES = {
    name: getattr(torch, name)
    for name in (
        "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
        "uint8", "int8", "int16", "int32", "int64", "bool",
    )
}


_DTYPE_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


class WireError(Exception):
    """A frame that is malformed or larger than allowed."""


def _float(value: float) -> dict:
    # JSON has no inf/nan: those travel as text
    return {"t": "py", "v": value} if math.isfinite(value) else {"t": "float", "v": repr(value)}


def encode(value: Any, sink: "list[bytes] | Arena", *, depth: int = 0) -> Any:
    """Describe `value` as JSON; its tensors' bytes go to `sink`: a list of blobs (contiguous,
    what a child sends back) or an Arena (the memory layout kept, what the judge sends a child).
    Unknown objects become a description of their type (the child never sends objects, only
    what they look like)."""
    if depth > 20:
        return {"t": "other", "type": "deeply nested value"}
    if isinstance(value, torch.Tensor):
        return _encode_tensor(value, sink)
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
            return {"t": "other", "type": "int (too large)"}
        if isinstance(value, str) and len(value) > 10_000:
            return {"t": "other", "type": "str (too long)"}
        return {"t": "py", "v": value}
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (tuple, list)) and len(value) <= 10_000:
        kind = "list" if isinstance(value, list) else "tuple"
        return {"t": kind, "items": [encode(v, sink, depth=depth + 1) for v in value]}
    return {"t": "other", "type": _type_name(value)}


def _type_name(value: Any) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__qualname__", "object")
    return name if module in ("builtins", "") else f"{module}.{name}"


def _encode_tensor(t: torch.Tensor, sink: "list[bytes] | Arena") -> dict:
    # Plain-tensor methods only: a subclass cannot choose what is sent about it.
    plain = torch.Tensor.detach(t)
    if not plain.is_cpu:
        plain = plain.cpu()
    dtype = _DTYPE_NAMES.get(plain.dtype)
    if dtype is None:
        return {"t": "other", "type": f"tensor of dtype {str(plain.dtype).removeprefix('torch.')}"}
    header: dict[str, Any] = {"t": "tensor", "dtype": dtype, "shape": list(plain.shape)}
    if isinstance(sink, Arena):
        header.update(sink.put(plain))
    else:
        header["blob"] = len(sink)
        sink.append(_raw_bytes(plain.contiguous()))
    return header


def _raw_bytes(t: torch.Tensor) -> bytes:
    """A contiguous tensor's memory, as bytes."""
    return t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""


def encode_case(args: Any, init: Any, params: dict, arena: "Arena") -> dict:
    """A case's inputs in the arena; "spans" holds each argument's bytes there, which the judge
    compares with its pristine copy to tell whether the learner's code wrote to that argument
    (the judge keeps them: the child is not sent them)."""
    items, spans = [], []
    for value in args:
        start = arena.size
        items.append(encode(value, arena))
        spans.append([start, arena.size])
    case = {"args": {"t": "list", "items": items}, "spans": spans}
    if init or params:  # a module kata's constructor arguments and the weights the tests set
        case.update(
            init=encode(list(init), arena), param_names=list(params), params=encode(list(params.values()), arena)
        )
    return case


class Arena:
    """The judge's side of a job's inputs: every tensor in one buffer, each at an aligned offset
    and in its own memory layout (a transposed input stays transposed), so the child rebuilds a
    case's inputs as views of that buffer (no per-tensor copies), and the judge tells whether the
    learner's code wrote to them by comparing each case's bytes with a pristine copy
    (shared_inputs.SharedInputs)."""

    ALIGN = 64  # every dtype's alignment, and a cache line

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0

    def put(self, t: torch.Tensor) -> dict:
        """Append one tensor; the header fields that find it again."""
        fields: dict[str, Any] = {"at": self.size}
        if t.is_contiguous() or not non_overlapping(t):
            data = t.contiguous()
        else:  # the storage span its strides cover, gaps zeroed
            stride = list(t.stride())
            data = torch.zeros(storage_span(t.shape, stride), dtype=t.dtype)
            data.as_strided(t.shape, stride).copy_(t)
            fields["stride"] = stride
        raw = _raw_bytes(data)
        padding = -len(raw) % self.ALIGN
        self.chunks.append(raw + bytes(padding))
        self.size += len(raw) + padding
        return fields

    def tobytes(self) -> bytes:
        return b"".join(self.chunks)


class ArenaView:
    """The child's side: tensors rebuilt as views of the received buffer, checked against it."""

    def __init__(self, buffer: bytearray):
        self.buffer = buffer

    def tensor(self, desc: dict) -> torch.Tensor:
        # the fast path of every case's inputs: few Python calls, the same checks
        dtype = _DTYPES.get(str(desc.get("dtype")))
        if dtype is None:
            raise WireError(f"unknown dtype {desc.get('dtype')!r}")
        shape, at, stride = desc["shape"], desc["at"], desc.get("stride")
        numel = math.prod(shape)
        if stride is None:
            span = numel
        elif len(stride) != len(shape) or min(stride, default=0) < 0:
            raise WireError(f"bad strides {stride} for shape {tuple(shape)}")
        else:
            span = storage_span(shape, stride)
        if min(shape, default=0) < 0 or at < 0 or at % dtype.itemsize or at + span * dtype.itemsize > len(self.buffer):
            raise WireError(
                f"tensor of shape {tuple(shape)} at byte {at} does not fit the {len(self.buffer)}-byte input buffer"
            )
        if not span:
            return torch.empty(shape, dtype=dtype)
        flat = torch.frombuffer(self.buffer, dtype=dtype, count=span, offset=at)
        return flat.view(shape) if stride is None else flat.as_strided(shape, stride)


def decode(desc: Any, source: "ArenaView") -> Any:
    """Rebuild a value from its description. Objects described as "other" come back as Opaque."""
    if not isinstance(desc, dict) or "t" not in desc:
        raise WireError(f"malformed value description: {str(desc)[:80]}")
    kind = desc["t"]
    if kind == "tensor":
        return source.tensor(desc)
    if kind == "py":
        return desc["v"]
    if kind == "float":
        return float(desc["v"])
    if kind in ("list", "tuple"):
        items = [decode(d, source) for d in desc["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "other":
        return Opaque(str(desc.get("type", "object")))
    raise WireError(f"unknown value kind {kind!r}")


def tensor_from_blob(dtype: torch.dtype, shape: list[int], raw: bytes) -> torch.Tensor:
    """A contiguous tensor from its bytes, which must be exactly its size."""
    numel = math.prod(shape)
    if len(raw) != numel * dtype.itemsize:
        raise WireError(f"tensor of shape {tuple(shape)} needs {numel * dtype.itemsize} bytes, got {len(raw)}")
    flat = torch.frombuffer(bytearray(raw), dtype=dtype) if numel else torch.empty(0, dtype=dtype)
    return flat.reshape(shape)


def value_from_message(value: "protocol.Value", blobs: list[bytes], depth: int = 0) -> Any:
    """A value a child reported (already checked against the protocol's types), rebuilt in the
    judge: tensors from their blobs, Opaque for objects it could only name. WireError when it
    does not fit the frame it came in (a blob that does not exist or has the wrong size)."""
    if depth > 32:
        raise WireError("a returned value nested deeper than 32 levels")
    if isinstance(value, protocol.TensorValue):
        if value.blob >= len(blobs):
            raise WireError(f"a tensor refers to blob {value.blob}, but the message holds {len(blobs)}")
        return tensor_from_blob(_DTYPES[value.dtype], value.shape, blobs[value.blob])
    if isinstance(value, protocol.PyValue):
        return value.v
    if isinstance(value, protocol.FloatValue):
        return float(value.v)
    if isinstance(value, (protocol.ListValue, protocol.TupleValue)):
        items = [value_from_message(item, blobs, depth + 1) for item in value.items]
        return items if isinstance(value, protocol.ListValue) else tuple(items)
    return Opaque(value.type)


class Opaque:
    """Stands for an object the child could not send as data (its type name only)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


# -- framing over a stream socket -----------------------------------------------------------------
class RawJSON:
    """A list encoded to JSON once and sent as it is in every frame that holds it (a kata's
    case descriptions: the same for every submission)."""

    def __init__(self, items: list):
        self.text = json.dumps(items, allow_nan=False)
        self.length = len(items)

    def __len__(self) -> int:
        return self.length


def dumps(header: dict) -> str:
    """JSON text of a header, with each RawJSON spliced in where it stands. The placeholders hold
    a NUL, which no JSON string built from text that passed the judge's checks can contain."""
    raws: list[str] = []

    def placeholder(value: Any) -> str:
        if not isinstance(value, RawJSON):
            raise TypeError(f"{type(value).__name__} is not JSON")
        raws.append(value.text)
        return f"\0raw{len(raws) - 1}\0"

    text = json.dumps(header, allow_nan=False, default=placeholder)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\0raw{index}\0"), raw, 1)
    return text


def send_frame(sock: socket.socket, header: dict, blobs: Sequence[bytes] = (), fds: Sequence[int] = ()) -> None:
    """One frame; `fds` (descriptors) ride on its first bytes, where recv_frame_with_fds finds them."""
    header = {**header, "blobs": [len(b) for b in blobs]}
    raw = dumps(header).encode()
    if fds:
        head = _LEN.pack(len(raw)) + raw
        sent = socket.send_fds(sock, [head], list(fds))
        raw = head[sent:]
        if raw:
            sock.sendall(raw)
    elif sum(header["blobs"]) <= SMALL_FRAME:  # one system call (a case batch: dozens of small blobs)
        sock.sendall(b"".join([_LEN.pack(len(raw)), raw, *blobs]))
        return
    else:
        sock.sendall(_LEN.pack(len(raw)) + raw)
    for blob in blobs:
        if blob:
            sock.sendall(blob)


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """Exactly `n` bytes (EOFError when the stream ends first); `sock` needs only recv()."""
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
    return _recv_rest(sock, recv_exact(sock, _LEN.size), max_bytes)


def recv_frame_with_fds(sock: socket.socket, max_bytes: int, max_fds: int) -> tuple[dict, list[bytes], list[int]]:
    """A frame sent with descriptors, and the descriptors (the caller closes them)."""
    data, fds, _flags, _addr = socket.recv_fds(sock, _LEN.size, max_fds)
    if not data:
        for fd in fds:
            os.close(fd)
        raise EOFError("the other side closed the connection")
    try:
        header, blobs = _recv_rest(sock, data + recv_exact(sock, _LEN.size - len(data)), max_bytes)
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return header, blobs, list(fds)


def _recv_rest(sock: socket.socket, prefix: bytes, max_bytes: int) -> tuple[dict, list[bytes]]:
    (length,) = _LEN.unpack(prefix)
    if length > min(max_bytes, 16 << 20):
        raise WireError(f"a message header of {length} bytes is larger than allowed")
    try:
        header = json.loads(recv_exact(sock, length))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"malformed message header: {exc}") from None
    sizes = header.get("blobs", []) if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise WireError("malformed blob list")
    if length + sum(sizes) > max_bytes:
        raise WireError(f"the data sent ({length + sum(sizes)} bytes) is larger than the limit of {max_bytes} bytes")
    return header, [recv_exact(sock, s) if s else b"" for s in sizes]
