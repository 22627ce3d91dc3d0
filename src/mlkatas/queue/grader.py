"""The grader: one process per machine that grades submissions with a warm Judge.

Lines over its unix socket: a web process sends "grade ID" and gets "done ID" back once that
submission is done (at once if it already is), followed by " VERDICT" (the stored JSON) when
this grader has just written it, so that the web process need not read it back. The grader
never runs learner code itself; the Judge does, in sandboxed children. A submission is claimed
atomically before grading and its verdict written with state `done` in one transaction, so none
is graded twice; at start, rows left `grading` by a grader that died go back to `queued`, and a
scan every second picks up any queued row whose notice was lost.

`python -m mlkatas.queue.grader --db URL --socket PATH --sandbox strict|local`
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import queue
import threading
from collections import defaultdict
from pathlib import Path

from mlkatas.store import submissions
from mlkatas.store.db import Database
from mlkatas.store.models import Submission

log = logging.getLogger("mlkatas.grader")
SCAN_S = 1.0
MAX_LINE = 200


class Grader:
    """Grades queued submissions of `db` with `judge` on `threads` threads, serving notices on
    `socket_path`. `serve()` runs until `stop()`."""

    def __init__(self, db: Database, judge, socket_path: str | Path, threads: int | None = None):
        self.db = db
        self.judge = judge
        self.socket_path = str(socket_path)
        self.threads = threads or judge.workers
        self.work: queue.Queue[str | None] = queue.Queue()
        self.pending: set[str] = set()  # in `work` or being graded
        self.lock = threading.Lock()
        self.waiters: dict[str, list[asyncio.Future]] = defaultdict(list)
        self.slugs: dict[int, str] = {}  # kata id -> slug, for claims
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready = threading.Event()
        self._stopping: asyncio.Event | None = None

    # -- grading threads ---------------------------------------------------------------------
    def enqueue(self, submission_id: str) -> None:
        with self.lock:
            if submission_id in self.pending:
                return
            self.pending.add(submission_id)
        self.work.put(submission_id)

    def _grading_thread(self) -> None:
        while (submission_id := self.work.get()) is not None:
            graded: str | None = None
            try:
                graded = self.grade(submission_id)
            except Exception:  # a database hiccup: the row stays queued/grading for the next scan or start
                log.exception("grading %s failed", submission_id)
            finally:
                with self.lock:
                    self.pending.discard(submission_id)
            if self.loop is not None:
                self.loop.call_soon_threadsafe(self._notify, submission_id, graded is not None, graded)

    def grade(self, submission_id: str) -> str | None:
        """Claim, grade and record one submission: the verdict's JSON as stored; None when it was
        not queued."""
        from mlkatas.views.html import verdict_html
        from mlkatas.views.picture import find_picture

        with self.db.session() as s:
            claimed = submissions.claim(s, submission_id, self.slugs)
        if claimed is None:
            return None
        slug, source, mode = claimed.slug, claimed.source, claimed.mode
        verdict = self.judge.grade(slug, source, visible_only=mode == "run")
        # a failure too big to draw gets a small case with the same mistake (a few one-case grades)
        picture = find_picture(self.judge, verdict, source)
        html = verdict_html(verdict, self.judge.catalog.get(slug), picture)
        with self.db.session() as s:
            return submissions.finish(s, submission_id, verdict.to_dict(), html)

    # -- notices -----------------------------------------------------------------------------
    def _notify(self, submission_id: str, done: bool = False, verdict: str | None = None) -> None:
        """Answer whoever waits for `submission_id` once it is done (`done`: known to be; `verdict`:
        its JSON, when this grader just wrote it)."""
        if done or self._is_done(submission_id):
            for future in self.waiters.pop(submission_id, []):
                if not future.done():
                    future.set_result(verdict)

    def _is_done(self, submission_id: str) -> bool:
        with self.db.session() as s:
            row = s.get(Submission, submission_id)
            return row is not None and row.state == "done"

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks: set[asyncio.Task] = set()
        watched: list[tuple[str, asyncio.Future]] = []
        try:
            while line := await reader.readline():
                command, _, submission_id = line.decode("ascii", "replace").strip().partition(" ")
                if command != "grade" or not submission_id or len(line) > MAX_LINE:
                    writer.write(b"error unknown command\n")
                    continue
                future = self._watch(submission_id)  # now: the connection may end before the task runs
                watched.append((submission_id, future))
                task = asyncio.ensure_future(self._answer_when_done(submission_id, future, writer))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for submission_id, future in watched:
                self._forget(submission_id, future)
            writer.close()

    def _watch(self, submission_id: str) -> asyncio.Future:
        """A future set once the submission is done; grades it if it is still to be graded."""
        assert self.loop is not None
        future = self.loop.create_future()
        self.waiters[submission_id].append(future)
        # no read first (it would cost every verdict a query): a row that is done already fails
        # its claim, and the grading thread's notice then finds it done
        self.enqueue(submission_id)
        return future

    async def _answer_when_done(self, submission_id: str, future: asyncio.Future,
                                writer: asyncio.StreamWriter) -> None:
        try:
            verdict = await future
            writer.write(f"done {submission_id}{' ' + verdict if verdict else ''}\n".encode())
            await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass

    def _forget(self, submission_id: str, future: asyncio.Future) -> None:
        waiting = self.waiters.get(submission_id)
        if waiting is not None and future in waiting:
            waiting.remove(future)
            if not waiting:
                del self.waiters[submission_id]

    async def _scan(self) -> None:
        """Queued rows nobody told us about (a web process whose notice was lost, or a restart)."""
        assert self._stopping is not None
        while not self._stopping.is_set():
            with self.db.session() as s:
                ids = submissions.queued_ids(s)
            for submission_id in ids:
                self.enqueue(submission_id)
            try:
                await asyncio.wait_for(self._stopping.wait(), SCAN_S)
            except TimeoutError:
                pass

    # -- lifecycle ---------------------------------------------------------------------------
    def recover(self) -> int:
        """What a dead grader left `grading` goes back to the queue (graded again from the start)."""
        with self.db.session() as s:
            return submissions.requeue_abandoned(s)

    async def serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        abandoned = self.recover()
        if abandoned:
            log.warning("%d submissions were being graded when the last grader stopped: grading them again", abandoned)
        workers = [threading.Thread(target=self._grading_thread, name=f"mlkatas-grade-{i}", daemon=True)
                   for i in range(self.threads)]
        for thread in workers:
            thread.start()
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)
        server = await asyncio.start_unix_server(self._connection, path=self.socket_path)
        os.chmod(self.socket_path, 0o600)  # only this user's web processes talk to the grader
        scan = asyncio.ensure_future(self._scan())
        self.ready.set()
        try:
            await self._stopping.wait()
        finally:
            scan.cancel()
            server.close()
            for _ in workers:
                self.work.put(None)

    def stop(self) -> None:
        if self.loop is not None and self._stopping is not None:
            self.loop.call_soon_threadsafe(self._stopping.set)


def run_in_thread(grader: Grader, timeout: float = 30.0) -> threading.Thread:
    """Serve `grader` on a background thread (tests, benchmarks); returns once it listens."""
    thread = threading.Thread(target=asyncio.run, args=(grader.serve(),), name="mlkatas-grader", daemon=True)
    thread.start()
    if not grader.ready.wait(timeout):
        raise RuntimeError("the grader did not start listening in time")
    return thread


def _exit_with_parent(parent: int) -> None:
    """The grader belongs to the `serve` that started it: when that one is gone, so is this."""
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mlkatas.queue.grader", description="grade submissions")
    parser.add_argument("--db", required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--sandbox", choices=("strict", "local"), default="strict")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s grader %(levelname)s %(message)s")
    from mlkatas.judge import Judge

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    db = Database(args.db)
    with Judge(sandbox=args.sandbox, workers=args.workers) as judge:
        judge.warm()
        for kata in judge.catalog:  # every kata's cases and expected outputs, before the first learner
            judge.suite(kata.slug)
        gc.collect()
        gc.freeze()  # torch, the suites and the rest of start-up: never walked by a collection mid-grade
        grader = Grader(db, judge, args.socket)
        log.info("grading with %d %s zygotes on %s", judge.workers, args.sandbox, args.socket)
        asyncio.run(grader.serve())
    db.close()


if __name__ == "__main__":
    main()
