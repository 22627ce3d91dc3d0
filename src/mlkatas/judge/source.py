"""Checks on a submission's text before anything runs it."""

from __future__ import annotations

MAX_SOURCE_BYTES = 1_000_000


class SourceProblem(ValueError):
    """A submission that cannot be graded at all; the message says why and where."""


def check_source(source: str | bytes) -> str:
    """The source as text, or SourceProblem for one that is too large, has null bytes or is not UTF-8."""
    if isinstance(source, bytes):
        if len(source) > MAX_SOURCE_BYTES:
            raise SourceProblem(f"the file is {len(source):,} bytes; the limit is {MAX_SOURCE_BYTES:,} bytes (1 MB)")
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = source[: exc.start].count(b"\n") + 1
            raise SourceProblem(
                f"the file is not UTF-8 text: byte {source[exc.start]:#04x} on line {line} cannot be decoded"
            ) from None
    if not isinstance(source, str):
        raise SourceProblem(f"the source must be text (str), not {type(source).__name__}")
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_SOURCE_BYTES:
        raise SourceProblem(f"the file is {size:,} bytes; the limit is {MAX_SOURCE_BYTES:,} bytes (1 MB)")
    if "\x00" in source:
        before = source[: source.index("\x00")]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise SourceProblem(f"the file contains a null byte (line {line}, column {column}); save it as plain text")
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = source[: exc.start].count("\n") + 1
        raise SourceProblem(f"the file holds text that is not valid Unicode on line {line}") from None
    return source
