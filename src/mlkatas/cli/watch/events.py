"""What happens during a watch, as WatchEvents, and the two threads that produce them.

`SaveWatcher` watches the workspace folder (watchfiles: native change events, or polling with
--poll) and `KeyReader` reads single keys from the terminal; both put their events in one
`EventQueue`, which the loop takes them from. A save reaches the loop the moment the watcher's
short debounce ends, and nothing polls. The state file lives in the same folder, so a `start`
in another terminal arrives as a save of it.
"""

from __future__ import annotations

import os
import queue
import select
import threading
from dataclasses import dataclass
from pathlib import Path

# watchfiles yields once no new change has come for STEP_MS (capped at DEBOUNCE_MS): long
# enough to fold an editor's truncate-then-write into one save, short enough not to be felt.
STEP_MS = 30
DEBOUNCE_MS = 250
POLL_DELAY_MS = 200


@dataclass(frozen=True)
class FilesSaved:
    """Files in the workspace folder changed (one debounced batch)."""

    paths: frozenset[Path]


@dataclass(frozen=True)
class WatchLive:
    """The folder watch is set up: a save made before this had no event, so look again."""


@dataclass(frozen=True)
class WatchFailed:
    """The folder watch stopped (a folder that vanished, an exhausted inotify limit); no more saves come."""

    problem: str


@dataclass(frozen=True)
class KeyPressed:
    """One character typed (in cbreak mode the terminal hands over keys one by one)."""

    key: str


@dataclass(frozen=True)
class KeysClosed:
    """Standard input ended: no more keys come (saves still do)."""


@dataclass(frozen=True)
class TimePassed:
    """The loop waited as long as the session asked (`WatchSession.wake_in`) and nothing came:
    a question the learner did not answer runs out."""


@dataclass(frozen=True)
class Handled:
    """The loop's worker finished the events it was given (and drew the screen): the next ones
    may go. Only the loop sends and takes this one."""


WatchEvent = FilesSaved | WatchLive | WatchFailed | KeyPressed | KeysClosed | TimePassed | Handled
SOURCE_ENDED = (WatchFailed, KeysClosed)  # the last event a source sends


class EventQueue:
    """The one queue every source puts its events in; `sources` counts the sources whose last
    event (SOURCE_ENDED) has not been taken yet: at 0, nothing more will come."""

    def __init__(self) -> None:
        self._events: queue.SimpleQueue[WatchEvent] = queue.SimpleQueue()
        self.sources = 0

    def opened(self) -> None:
        """A source starts sending (called by the loop's thread, as is `take`; `put` from any)."""
        self.sources += 1

    def put(self, event: WatchEvent) -> None:
        self._events.put(event)

    def take(self, timeout: float | None = None) -> list[WatchEvent]:
        """Wait for an event (at most `timeout` seconds: then []), then take every other one
        already waiting: saves made while a check ran and keys typed meanwhile are handled
        together and drawn once."""
        try:
            taken = [self._events.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                taken.append(self._events.get_nowait())
            except queue.Empty:
                break
        self.sources -= sum(isinstance(event, SOURCE_ENDED) for event in taken)
        return taken


class SaveWatcher:
    """Saves in a folder, from a watchfiles thread.

    The watch is live only some time after `start` (the thread must run, the OS watch be set
    up), so the first batch watchfiles yields, empty or not, is preceded by WatchLive."""

    def __init__(self, folder: Path, events: EventQueue, poll: bool = False):
        self.folder = folder
        self.events = events
        self.poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mlkatas-watch", daemon=True)

    def start(self) -> "SaveWatcher":
        import watchfiles  # noqa: F401  (here, not in the thread, where it could wait behind torch's import)

        self.events.opened()
        self._thread.start()
        return self

    def _run(self) -> None:
        import watchfiles

        live = False
        try:
            for changes in watchfiles.watch(
                self.folder,
                watch_filter=None,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self._stop,
                rust_timeout=200,
                yield_on_timeout=True,  # the first (empty) yield says the watch is live
                recursive=False,
                raise_interrupt=False,
                force_polling=True if self.poll else None,
                poll_delay_ms=POLL_DELAY_MS,
            ):
                if not live:
                    live = True
                    self.events.put(WatchLive())
                if changes:
                    self.events.put(FilesSaved(frozenset(Path(path) for _change, path in changes)))
        except Exception as exc:  # a folder that vanished, an exhausted inotify limit
            self.events.put(WatchFailed(f"watching {self.folder} stopped: {exc}"))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


class KeyReader:
    """Keys from a file descriptor (the terminal, in cbreak mode), one KeyPressed per character,
    from a thread that `stop` wakes through a pipe."""

    def __init__(self, fd: int, events: EventQueue):
        self.fd = fd
        self.events = events
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._run, name="mlkatas-keys", daemon=True)

    def start(self) -> "KeyReader":
        self.events.opened()
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            ready, _, _ = select.select([self.fd, self._wake_read], [], [])
            if self._wake_read in ready:
                return
            try:
                data = os.read(self.fd, 64)
            except OSError:  # a terminal that went away reads as closed
                data = b""
            if not data:
                self.events.put(KeysClosed())
                return
            for ch in data.decode("utf-8", "replace"):
                self.events.put(KeyPressed(ch))

    def stop(self) -> None:
        os.write(self._wake_write, b"!")
        self._thread.join(timeout=2)
        for fd in (self._wake_read, self._wake_write):
            os.close(fd)
