"""What a child may send the judge, as typed messages checked before anything uses them.

Trust boundary: every byte a child sends comes from a process that ran learner code, so the
judge decodes each frame header against these types (msgspec: strict JSON, no Infinity or NaN
literals, every number bounded) and then checks what the types cannot say (a case index the
job has, a blob that exists). Anything else is a ProtocolError, which the judge turns into an
`error` verdict ("the submission sent data the judge could not read"), never an exception out of
`Judge.grade`. Unknown fields are ignored; unknown events and value kinds are not.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

import msgspec
from msgspec import Meta, Struct

from mlkatas.engine import vocabulary


class ProtocolError(ValueError):
    """A child sent something that is not a message of this protocol."""


# Bounds: generous for any honest child, small enough that no number overflows a float, a
# shape product or an index.
MAX_DIM = 1 << 40
MAX_RANK = 16
MAX_ITEMS = 10_000  # items of a list or tuple value (the child's encoder stops there too)
MAX_TEXT = 1 << 16  # a message or a type name; printed output has its own limit
MAX_CASES = 1 << 16

Dim = Annotated[int, Meta(ge=0, le=MAX_DIM)]
Index = Annotated[int, Meta(ge=0, le=MAX_CASES)]
Int64 = Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)]
Text = Annotated[str, Meta(max_length=MAX_TEXT)]
BlobSize = Annotated[int, Meta(ge=0, le=1 << 40)]
DType = Literal["float16", "bfloat16", "float32", "float64", "complex64", "complex128",
                "uint8", "int8", "int16", "int32", "int64", "bool"]


# -- values (what a learner's function returned) ------------------------------------------------
class TensorValue(Struct, tag_field="t", tag="tensor", frozen=True):
    dtype: DType
    shape: Annotated[list[Dim], Meta(max_length=MAX_RANK)]
    blob: Index


class PyValue(Struct, tag_field="t", tag="py", frozen=True):
    v: Union[None, bool, Int64, float, Annotated[str, Meta(max_length=MAX_TEXT)]]


class FloatValue(Struct, tag_field="t", tag="float", frozen=True):
    """A float JSON cannot hold."""

    v: Literal["inf", "-inf", "nan"]


class ListValue(Struct, tag_field="t", tag="list", frozen=True):
    items: Annotated[list["Value"], Meta(max_length=MAX_ITEMS)]


class TupleValue(Struct, tag_field="t", tag="tuple", frozen=True):
    items: Annotated[list["Value"], Meta(max_length=MAX_ITEMS)]


class OtherValue(Struct, tag_field="t", tag="other", frozen=True):
    """An object the child could not send as data: its type's name only."""

    type: Annotated[str, Meta(max_length=500)]


Value = Union[TensorValue, PyValue, FloatValue, ListValue, TupleValue, OtherValue]


# -- the child's messages, in the order it sends them -------------------------------------------
class ChildReady(Struct, tag_field="event", tag="ready", frozen=True):
    """The child is set up (in strict mode: behind every layer) and waits for its job."""

    blobs: list[BlobSize] = []


class SandboxFailed(Struct, tag_field="event", tag="sandbox_failed", frozen=True):
    error: Text = ""
    blobs: list[BlobSize] = []


class Load(Struct, tag_field="event", tag="load", frozen=True):
    """The learner's file ran (ok) or why not."""

    ok: bool
    kind: Union[vocabulary.Kind, None] = None
    message: Text = ""
    line: Union[Annotated[int, Meta(ge=0, le=1 << 31)], None] = None
    missing: bool = False  # the entry point is not defined
    blobs: list[BlobSize] = []


class CaseReport(Struct, frozen=True):
    i: Index
    ok: bool
    output: Union[Value, None] = None  # when ok
    mutated: Annotated[list[Index], Meta(max_length=MAX_RANK * 64)] = []  # arguments whose layout changed
    kind: Union[vocabulary.Kind, None] = None  # when not ok
    message: Text = ""


class Cases(Struct, tag_field="event", tag="cases", frozen=True):
    items: Annotated[list[CaseReport], Meta(max_length=MAX_CASES)]
    blobs: list[BlobSize] = []


class Probes(Struct, tag_field="event", tag="probes", frozen=True):
    """Work counted per rule probe; None where the probe raised."""

    counts: Annotated[list[Union[Annotated[int, Meta(ge=0, le=2**62)], None]], Meta(max_length=MAX_CASES)]
    blobs: list[BlobSize] = []


class Done(Struct, tag_field="event", tag="done", frozen=True):
    log: str = ""
    blobs: list[BlobSize] = []


RunMessage = Union[Load, Cases, Probes, Done]
Handshake = Union[ChildReady, SandboxFailed]

_run_decoder = msgspec.json.Decoder(RunMessage)
_handshake_decoder = msgspec.json.Decoder(Handshake)


def decode_run_message(raw: bytes) -> RunMessage:
    """One frame header of a job's run; ProtocolError for anything else."""
    return _decode(_run_decoder, raw)


def decode_handshake(raw: bytes) -> Handshake:
    return _decode(_handshake_decoder, raw)


def _decode(decoder: msgspec.json.Decoder, raw: bytes):
    try:
        return decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError) as exc:  # ValidationError is a DecodeError
        raise ProtocolError(_short(str(exc) or type(exc).__name__)) from None


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "..."


__all__ = [
    "Cases", "CaseReport", "ChildReady", "Done", "FloatValue", "Handshake", "ListValue", "Load", "OtherValue", "Probes",
    "ProtocolError", "PyValue", "RunMessage", "SandboxFailed", "TensorValue", "TupleValue", "Value",
    "decode_handshake", "decode_run_message",
]
