"""One thread that fires the judge's wall-clock kills at their deadlines (cheaper than a timer
thread per job)."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Callable


class Watchdog:
    """One thread that fires wall-clock kills at their deadlines (cheaper than a timer thread
    per job)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cancelled: set[int] = set()
        self._ids = itertools.count()
        self._cv = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="mlkatas-watchdog", daemon=True)
        self._thread.start()

    def schedule(self, delay_s: float, action: Callable[[], None]) -> int:
        handle = next(self._ids)
        with self._cv:
            heapq.heappush(self._heap, (time.monotonic() + delay_s, handle, action))
            self._cv.notify()
        return handle

    def cancel(self, handle: int) -> None:
        with self._cv:
            self._cancelled.add(handle)

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._heap:
                    self._cv.wait()
                when, handle, action = self._heap[0]
                delay = when - time.monotonic()
                if handle in self._cancelled:
                    heapq.heappop(self._heap)
                    self._cancelled.discard(handle)
                    continue
                if delay > 0:
                    self._cv.wait(delay)
                    continue
                heapq.heappop(self._heap)
            try:
                action()
            except Exception:  # noqa: BLE001 - a failed kill must not stop the watchdog
                pass
            action = None  # not kept alive (with the run it closes over) until the next deadline


_watchdog: Watchdog | None = None
_watchdog_lock = threading.Lock()


def watchdog() -> Watchdog:
    global _watchdog
    with _watchdog_lock:
        if _watchdog is None:
            _watchdog = Watchdog()
        return _watchdog
