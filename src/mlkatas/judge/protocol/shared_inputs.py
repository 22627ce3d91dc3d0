"""A job's inputs as memory shared with the child, which the judge reads back to see what changed.

Trust boundary: whether learner code wrote to its inputs is decided here, in the judge, from the
shared memory itself, never from the child's word (a child can patch any check that runs in its
own process). The child maps the file and builds its case inputs as views of it; the judge keeps
the pristine bytes and compares each case's span with them when the case reports and again after
the run. It reads with pread, never through a mapping of its own, so a child that shrinks the
file cannot fault the judge: a short read just counts as changed.
"""

from __future__ import annotations

import os
import tempfile


class SharedInputs:
    """The arena of one job's inputs in a memory-backed file (memfd on Linux; a temporary file
    elsewhere), for exactly one child."""

    def __init__(self, arena: bytes):
        self.pristine = arena
        if hasattr(os, "memfd_create"):
            self.fd = os.memfd_create("mlkatas-inputs", os.MFD_CLOEXEC)
        else:
            with tempfile.TemporaryFile() as handle:
                self.fd = os.dup(handle.fileno())
        try:
            view = memoryview(arena)
            while view:
                view = view[os.write(self.fd, view):]
        except BaseException:
            os.close(self.fd)
            raise

    def changed(self, start: int, end: int) -> bool:
        """Whether the bytes in [start, end) differ from what the judge sent."""
        if end <= start:
            return False
        try:
            now = os.pread(self.fd, end - start, start)
        except OSError:
            return True
        return now != self.pristine[start:end]

    def snapshot(self) -> bytes:
        """All of the inputs as they are now (shorter than the pristine bytes if the file shrank)."""
        return os.pread(self.fd, len(self.pristine), 0) if self.pristine else b""

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> "SharedInputs":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
