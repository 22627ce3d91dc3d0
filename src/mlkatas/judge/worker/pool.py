"""The pool that lends zygotes to grading threads.

A zygote serves one grading thread at a time. The pool starts one at once and more in the
background when every zygote is busy, up to its size (default: one per core); a zygote that dies
or stops answering is replaced in the background, and each is recycled after a number of jobs.
After each grade, a zygote takes its next child's handshake in the background before it is lent
again, so a submission arriving at an idle judge goes out at once.
"""

from __future__ import annotations

import queue
import threading
import time

from mlkatas.judge.worker.zygote import REQUEST_TIMEOUT_S, Zygote, ZygoteDied


class ZygotePool:
    """Up to `size` zygotes shared by grading threads; safe to call from several threads."""

    def __init__(self, size: int, mode: str, plan: str | None = None, recycle_after: int = 1000, start: int = 1):
        self.mode = mode
        self.plan = plan
        self.size = max(1, size)
        self.recycle_after = recycle_after
        self._idle: queue.Queue[Zygote] = queue.Queue()
        self._all: list[Zygote] = []
        self._starting = 0
        self._lock = threading.Lock()
        self._prepared = threading.Condition()
        self._preparing = 0  # zygotes taking their next child's handshake before going idle
        self._to_prepare: queue.Queue[Zygote | None] = queue.Queue()
        self._preparers: list[threading.Thread] = []  # one per zygote the pool may hold
        self._closed = False
        self._start_error: BaseException | None = None
        # the first zygotes start now, in parallel; an error (a sandbox layer that fails) is raised here
        starters = [self._start_one() for _ in range(max(1, min(start, self.size)))]
        for t in starters:
            t.join()
        if not self._all:
            error = self._start_error
            self.close()
            if error is not None:
                raise error
            raise ZygoteDied("the judge could not start its worker process")

    def _start_one(self) -> threading.Thread:
        with self._lock:
            self._starting += 1
        thread = threading.Thread(target=self._add, name="mlkatas-zygote-start", daemon=True)
        thread.start()
        return thread

    def _add(self) -> None:
        try:
            zygote = Zygote(self.mode, self.plan)
        except BaseException as exc:  # noqa: BLE001 - reported by the pool's constructor
            with self._lock:
                self._starting -= 1
                self._start_error = exc
            return
        with self._lock:
            self._starting -= 1
            if self._closed:
                zygote.close()
                return
            self._all.append(zygote)
        self._idle.put(zygote)

    def fill(self) -> None:
        """Start zygotes until the pool is full, and wait for them."""
        with self._lock:
            missing = self.size - len(self._all) - self._starting
        for t in [self._start_one() for _ in range(max(0, missing))]:
            t.join()

    def acquire(self, timeout: float | None = None) -> Zygote:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._closed:
                raise RuntimeError("the judge is closed")
            try:
                zygote = self._idle.get_nowait()
            except queue.Empty:
                pass
            else:
                if zygote.alive():
                    return zygote
                self.release(zygote, broken=True)  # died while idle: replace it, lend another
                continue
            with self._lock:  # all busy: grow in the background, and take whichever frees first
                grow = len(self._all) + self._starting < self.size
            with self._prepared:  # one readying its next child is free in a moment: no new zygote
                grow = grow and self._preparing == 0 and self._idle.empty()
            if grow:
                self._start_one()
            wait = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            if wait <= 0:
                raise TimeoutError("no judge worker became free in time")
            try:
                zygote = self._idle.get(timeout=wait)
            except queue.Empty:
                with self._lock:
                    if not self._all and not self._starting and self._start_error is not None:
                        raise ZygoteDied(f"the judge cannot start a worker: {self._start_error}") from None
                continue
            if zygote.alive():
                return zygote
            self.release(zygote, broken=True)

    def release(self, zygote: Zygote, broken: bool = False) -> None:
        """Back to the pool; a broken, dead or worn-out zygote is replaced in the background.
        Otherwise it first takes its next child's handshake, in the background too, so the next
        submission it gets starts at once."""
        if broken or zygote.jobs >= self.recycle_after or not zygote.alive():
            with self._lock:
                if zygote in self._all:
                    self._all.remove(zygote)
            threading.Thread(target=zygote.close, daemon=True).start()
            if not self._closed:
                self._start_one()
            return
        if self._closed:
            self._idle.put(zygote)
            return
        with self._prepared:
            self._preparing += 1
            if not self._preparers:  # started once: a thread started per grade cost 0.7 ms each (dev bench-judge)
                self._preparers = [threading.Thread(target=self._prepare_loop, name="mlkatas-prepare", daemon=True)
                                   for _ in range(self.size)]
                for thread in self._preparers:
                    thread.start()
        self._to_prepare.put(zygote)

    def _prepare_loop(self) -> None:
        while True:
            zygote = self._to_prepare.get()
            if zygote is None:
                return
            self._prepare(zygote)

    def _prepare(self, zygote: Zygote) -> None:
        try:
            zygote.prepare()
        except ZygoteDied:
            ok = False
            if not self._closed:  # closing: the pool closes every zygote itself
                self.release(zygote, broken=True)
        else:
            ok = True
        with self._prepared:  # with the count, so acquire never sees it neither idle nor preparing
            if ok:
                self._idle.put(zygote)
            self._preparing -= 1
            self._prepared.notify_all()

    def wait_prepared(self, timeout: float = REQUEST_TIMEOUT_S) -> bool:
        """Until every zygote handed back has its next child ready (what a submission arriving at
        an idle judge finds); False on timeout."""
        with self._prepared:
            return self._prepared.wait_for(lambda: self._preparing == 0, timeout)

    def zygotes(self) -> list[Zygote]:
        with self._lock:
            return list(self._all)

    def close(self) -> None:
        self._closed = True
        self.wait_prepared(5.0)  # a zygote is closed by one thread only
        for _ in self._preparers:
            self._to_prepare.put(None)
        with self._lock:
            zygotes, self._all = self._all, []
        for z in zygotes:
            z.ctrl.close()  # all at once: each leaves in parallel
        for z in zygotes:
            z.close(grace_s=2.0)
