"""A web process's side of the grader: tell it about a committed submission and wait for its
"done" notice, without blocking the event loop. Each wait is one short unix-socket connection."""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass

from mlkatas.queue import SANDBOX_ENV, SOCKET_ENV


class GraderUnavailable(RuntimeError):
    """No grader answers on the socket (not started, or stopped)."""


@dataclass(frozen=True)
class Notice:
    """What a wait ended with: `done`, and the verdict's JSON when the grader sent it along (it had
    just written it); otherwise read it from the database."""

    done: bool
    verdict: str | None = None


NOTICE_LIMIT = 2**26  # a notice carries a verdict, output log included: far above asyncio's 64 KiB


class GraderClient:
    """`await client.wait_done(id, seconds)`: True once the submission is done, False on timeout;
    `wait_notice` also hands over the verdict the grader sent with its notice."""

    def __init__(self, socket_path: str | None, sandbox: str = "strict"):
        self.socket_path = socket_path
        self.sandbox = sandbox

    @classmethod
    def from_env(cls) -> "GraderClient":
        return cls(os.environ.get(SOCKET_ENV), os.environ.get(SANDBOX_ENV, "strict"))

    async def wait_done(self, submission_id: str, seconds: float) -> bool:
        """Ask the grader to grade `submission_id` (harmless when it is graded already) and wait up
        to `seconds` for it to be done. With seconds <= 0 the grader is only told."""
        return (await self.wait_notice(submission_id, seconds)).done

    async def wait_notice(self, submission_id: str, seconds: float) -> Notice:
        """wait_done(), with the verdict when the grader sent it along."""
        if not self.socket_path:
            raise GraderUnavailable("this server was started without a grader: submissions cannot be graded")
        try:
            reader, writer = await asyncio.open_unix_connection(self.socket_path, limit=NOTICE_LIMIT)
        except OSError as exc:
            raise GraderUnavailable(f"the grader is not answering ({exc.strerror or exc}): try again shortly") from None
        try:
            writer.write(f"grade {submission_id}\n".encode())
            await writer.drain()
            if seconds <= 0:
                return Notice(False)
            try:
                line = await asyncio.wait_for(reader.readline(), seconds)
            except TimeoutError:
                return Notice(False)
            head, _, verdict = line.strip().decode("utf-8", "replace").partition(" {")
            if head != f"done {submission_id}":
                return Notice(False)
            return Notice(True, "{" + verdict if verdict else None)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
