"""A web process's side of the grader: tell it about a committed submission and wait for its
"done" notice, without blocking the event loop. Each wait is one short unix-socket connection."""

from __future__ import annotations

import asyncio
import contextlib
import os

from mlkatas.queue import SANDBOX_ENV, SOCKET_ENV


class GraderUnavailable(RuntimeError):
    """No grader answers on the socket (not started, or stopped)."""


class GraderClient:
    """`await client.wait_done(id, seconds)`: True once the submission is done, False on timeout."""

    def __init__(self, socket_path: str | None, sandbox: str = "strict"):
        self.socket_path = socket_path
        self.sandbox = sandbox

    @classmethod
    def from_env(cls) -> "GraderClient":
        return cls(os.environ.get(SOCKET_ENV), os.environ.get(SANDBOX_ENV, "strict"))

    async def wait_done(self, submission_id: str, seconds: float) -> bool:
        """Ask the grader to grade `submission_id` (harmless when it is graded already) and wait up
        to `seconds` for it to be done. With seconds <= 0 the grader is only told."""
        if not self.socket_path:
            raise GraderUnavailable("this server was started without a grader: submissions cannot be graded")
        try:
            reader, writer = await asyncio.open_unix_connection(self.socket_path)
        except OSError as exc:
            raise GraderUnavailable(f"the grader is not answering ({exc.strerror or exc}): try again shortly") from None
        try:
            writer.write(f"grade {submission_id}\n".encode())
            await writer.drain()
            if seconds <= 0:
                return False
            try:
                line = await asyncio.wait_for(reader.readline(), seconds)
            except TimeoutError:
                return False
            return line.strip() == f"done {submission_id}".encode()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
