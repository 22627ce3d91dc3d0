"""The watch loop: take WatchEvents from the one queue, hand them to the session, redraw.

Saves come from the folder watcher's thread and keys from the key reader's (single keys: the
terminal is in cbreak mode while the loop runs). The session's work (a check, a key's action,
the redraw) runs on a worker thread, one batch of events at a time, so the loop keeps taking
events meanwhile: `q` stops the watch at once, killing a check that hangs, and what else comes
waits for the next batch. After the screen shows a failed verdict, the worker looks for a small
picture of the mistake and draws once more if it finds one.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import Callable, Iterator

from rich.console import Console

from mlkatas.catalog import Catalog
from mlkatas.cli.watch import screen
from mlkatas.cli.watch.events import EventQueue, Handled, KeyReader, SaveWatcher, TimePassed, WatchEvent
from mlkatas.cli.watch.session import Message, WatchSession, quits
from mlkatas.learner.workspace import Workspace
from mlkatas.views import terminal as render

STOP_WAIT_S = 10.0  # how long a quit waits for the worker once the judge is closed (it ends within ms)


@contextmanager
def single_keys(fd: int) -> Iterator[None]:
    """cbreak mode on a terminal (keys arrive one by one, Ctrl-C still works); nothing otherwise."""
    if not os.isatty(fd):
        yield
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def stdin_fd() -> int:
    """Standard input's descriptor; -1 when there is no real one (then saves only)."""
    try:
        return sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return -1


def run(
    catalog: Catalog, ws: Workspace, slug: str, poll: bool = False, manual: bool = False, out: Console | None = None,
    note: str | None = None,
) -> int:
    """Watch `slug` until the learner quits (q, Ctrl-D, Ctrl-C, a closed terminal) or no source
    of events is left; returns the exit status. `note` is shown on the first screen (a new
    workspace: where it is)."""
    out = out or render.console()
    keys_fd = stdin_fd()
    watching = screen.watching_line(poll, manual)
    events = EventQueue()

    def stop(signum, frame):  # a closed terminal or a kill: leave through the finally blocks
        raise KeyboardInterrupt

    ws.root.mkdir(parents=True, exist_ok=True)  # a folder must exist to be watched
    # The watcher starts before the session, whose judge warm-up imports torch in another thread.
    saves = None if manual else SaveWatcher(ws.root, events, poll=poll).start()
    session = WatchSession(catalog, ws, slug, on_checking=lambda: screen.show_checking(out))
    if note is not None:
        session.note = Message(note, "warning")
    worker = Worker(out, session, watching, events)
    old_handlers = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with single_keys(keys_fd) if keys_fd >= 0 else nullcontext():
            keys = KeyReader(keys_fd, events).start() if keys_fd >= 0 else None
            try:
                worker.start(lambda: session.check() or True)  # the first screen, whatever the check found
                serve(events, session, worker)
            finally:
                if keys is not None:
                    keys.stop()  # before the terminal leaves cbreak mode
    except KeyboardInterrupt:
        pass
    finally:
        if saves is not None:
            saves.stop()
        session.close()  # closes the judge: a check still running is killed
        worker.join(STOP_WAIT_S)
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
    screen.show_stopped(out, session)
    return 0


def serve(events: EventQueue, session: WatchSession, worker: "Worker") -> None:
    """Take events until the learner quits or no source is left, giving them to the worker a
    batch at a time; a quit key is acted on at once, ahead of what waits."""
    waiting: list[WatchEvent] = []
    while True:
        wait = None if worker.busy else session.wake_in()
        taken = events.take(wait)
        if not taken:
            waiting.append(TimePassed())  # only with a timeout: a question on screen ran out
        for event in taken:
            if isinstance(event, Handled):
                worker.finished()
            elif quits(event):
                session.quit = True
            else:
                waiting.append(event)
        if session.quit:
            return
        if not worker.busy:
            if waiting:
                batch, waiting = waiting, []
                worker.start(partial(handle_all, session, batch))
            elif not events.sources:
                return


def handle_all(session: WatchSession, batch: list[WatchEvent]) -> bool:
    changed = False
    for event in batch:
        changed |= session.handle(event)
    return changed


class Worker:
    """The session's work off the loop's thread, one piece at a time: `start` runs it (and the
    redraw it asks for) on a thread that says Handled when done; a failure there is raised
    again on the loop's thread by `finished`."""

    def __init__(self, out: Console, session: WatchSession, watching: str, events: EventQueue):
        self.out = out
        self.session = session
        self.watching = watching
        self.events = events
        self.busy = False
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self, work: Callable[[], bool]) -> None:
        self.busy = True
        self._thread = threading.Thread(target=self._run, args=(work,), name="mlkatas-session", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], bool]) -> None:
        try:
            if work() and not self.session.stopping:
                redraw(self.out, self.session, self.watching)
        except BaseException as exc:  # noqa: BLE001 - handed to the loop's thread, raised there
            self._failure = exc
        finally:
            self.events.put(Handled())

    def finished(self) -> None:
        self.busy = False
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def redraw(out: Console, session: WatchSession, watching: str) -> None:
    """The screen, then a picture of the mistake when the verdict needs one (drawn again)."""
    screen.draw(out, session, watching)
    if session.add_picture() and not session.stopping:
        screen.draw(out, session, watching)
