"""The watch loop: take WatchEvents from the one queue, hand them to the session, redraw.

Saves come from the folder watcher's thread and keys from the key reader's (single keys: the
terminal is in cbreak mode while the loop runs). After the screen shows a failed verdict, the
loop looks for a small picture of the mistake and draws once more if it finds one.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager, nullcontext
from typing import Iterator

from rich.console import Console

from mlkatas.catalog import Catalog
from mlkatas.cli.watch import screen
from mlkatas.cli.watch.events import EventQueue, KeyReader, SaveWatcher
from mlkatas.cli.watch.session import WatchSession
from mlkatas.learner.workspace import Workspace
from mlkatas.views import terminal as render


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
    catalog: Catalog, ws: Workspace, slug: str, poll: bool = False, manual: bool = False, out: Console | None = None
) -> int:
    """Watch `slug` until the learner quits (q, Ctrl-D, Ctrl-C, a closed terminal) or no source
    of events is left; returns the exit status."""
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
    old_handlers = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with single_keys(keys_fd) if keys_fd >= 0 else nullcontext():
            keys = KeyReader(keys_fd, events).start() if keys_fd >= 0 else None
            try:
                session.check()
                redraw(out, session, watching)
                while not session.quit and events.sources:
                    changed = False
                    for event in events.take():
                        changed |= session.handle(event)
                        if session.quit:
                            break
                    if changed and not session.quit:
                        redraw(out, session, watching)
            finally:
                if keys is not None:
                    keys.stop()  # before the terminal leaves cbreak mode
    except KeyboardInterrupt:
        pass
    finally:
        if saves is not None:
            saves.stop()
        session.close()
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
    screen.show_stopped(out, session)
    return 0


def redraw(out: Console, session: WatchSession, watching: str) -> None:
    """The screen, then a picture of the mistake when the verdict needs one (drawn again)."""
    screen.draw(out, session, watching)
    if session.add_picture():
        screen.draw(out, session, watching)
