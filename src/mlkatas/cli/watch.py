"""`mlkatas watch`: check the kata file on every save with a warm judge, and take single keys.

One thread watches the workspace folder (watchfiles: native change events, or polling with
--poll) and wakes the main loop through a pipe; the main loop waits on that pipe and on stdin
(single keys in cbreak mode) with select(), so a save is picked up the moment the watcher's
short debounce ends, and nothing polls. The judge keeps its zygote between saves, so a check
costs a fork and the comparison, not a Python start and a torch import.
"""

from __future__ import annotations

import os
import queue
import select
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rich.console import Console, Group
from rich.rule import Rule
from rich.text import Text

from mlkatas.catalog import Catalog
from mlkatas.views import terminal as render
from mlkatas.cli.common import shown_path
from mlkatas.catalog.kata import Kata
from mlkatas.learner.workspace import Workspace, WorkspaceError, starter_file

# watchfiles yields once no new change has come for STEP_MS (capped at DEBOUNCE_MS): long
# enough to fold an editor's truncate-then-write into one save, short enough not to be felt.
STEP_MS = 30
DEBOUNCE_MS = 250
POLL_DELAY_MS = 200
KEYS_HELP = "[h] hint  [l] list  [n] next  [r] reset  [Enter] check now  [q] quit"


class SaveEvents:
    """Saves in a folder, from a watchfiles thread; `fd` becomes readable when some arrive.

    The watcher is live only some time after `start` (the thread must run, the OS watch be
    set up), so `drain` also reports, once, that it has become live: a save made before that
    moment had no event, and the caller should look at the file again."""

    def __init__(self, folder: Path, poll: bool = False):
        self.folder = folder
        self.poll = poll
        self.paths: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        self._live = False
        self._live_reported = False
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="mlkatas-watch", daemon=True)

    @property
    def fd(self) -> int:
        return self._read_fd

    def start(self) -> "SaveEvents":
        import watchfiles  # noqa: F401  (here, not in the thread, where it could wait behind torch's import)

        self._thread.start()
        return self

    def _run(self) -> None:
        import watchfiles

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
                for _change, path in changes:
                    self.paths.put(Path(path))
                if changes or not self._live:
                    self._live = True
                    os.write(self._write_fd, b"!")
        except Exception as exc:  # a folder that vanished, an exhausted inotify limit
            self.error = f"watching {self.folder} stopped: {exc}"
            os.write(self._write_fd, b"!")

    @property
    def became_live(self) -> bool:
        """True once, at the first drain after the watch went live."""
        if self._live and not self._live_reported:
            self._live_reported = True
            return True
        return False

    def drain(self) -> set[Path]:
        try:
            while os.read(self._read_fd, 4096):
                pass
        except BlockingIOError:
            pass
        seen = set()
        while True:
            try:
                seen.add(self.paths.get_nowait())
            except queue.Empty:
                return seen

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for fd in (self._read_fd, self._write_fd):
            try:
                os.close(fd)
            except OSError:
                pass


@contextmanager
def single_keys(fd: int) -> Iterator[bool]:
    """cbreak mode on a terminal (keys arrive one by one, Ctrl-C still works); yields whether it is one."""
    if not os.isatty(fd):
        yield False
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class WatchSession:
    """What the watch screen shows and what its keys do; the loop in `run` feeds it events."""

    def __init__(self, catalog: Catalog, ws: Workspace, slug: str, out: Console):
        self.catalog = catalog
        self.ws = ws
        self.out = out
        self._judge = None
        self._judge_lock = threading.Lock()
        self._closed = False
        self._warmers: list[threading.Thread] = []
        self.kata: Kata = catalog.get(slug)
        self.verdict = None
        self.picture = None  # a small case with the same mistake, when the first failure is big
        self.last_source: bytes | None = None
        self.checked_at = ""
        self.note: object | None = None  # one-off extra below the verdict: a list, a message
        self.quit = False
        self.open_kata(slug)

    # -- state ----------------------------------------------------------------------------
    @property
    def judge(self):
        """The local judge, made on first use (importing it loads torch: done off the main
        thread by `_warm`, so the first screen does not wait for it)."""
        with self._judge_lock:
            if self._closed:
                raise RuntimeError("the watch has stopped")
            if self._judge is None:
                from mlkatas.judge import Judge

                self._judge = Judge(sandbox="local", catalog=self.catalog)
            return self._judge

    def close(self) -> None:
        # A warm-up still building cases when Python exits would abort the process (torch's
        # threads do not survive interpreter shutdown), so let it finish first.
        for thread in self._warmers:
            thread.join(timeout=30)
        with self._judge_lock:
            self._closed = True
            if self._judge is not None:
                self._judge.close()

    @property
    def path(self) -> Path:
        return self.ws.kata_file(self.kata.slug)

    def open_kata(self, slug: str) -> None:
        self.kata = self.catalog.get(slug)
        self.ws.start(slug, starter_file(self.kata))  # writes the starter only if there is no file
        self.verdict = None
        self.last_source = None
        self.checked_at = ""
        self._warm_in_background(slug)

    def _warm_in_background(self, slug: str) -> None:
        thread = threading.Thread(target=self._warm, args=(slug,), daemon=True)
        self._warmers = [t for t in self._warmers if t.is_alive()] + [thread]
        thread.start()

    def _warm(self, slug: str) -> None:
        """Start the zygote and build the kata's cases while the learner reads the task."""
        try:
            self.judge.start()
            self.judge.suite(slug)
        except Exception:  # the first real check reports whatever went wrong
            pass

    # -- checking -------------------------------------------------------------------------
    def check(self, force: bool = False) -> bool:
        """Grade the file if it changed since the last check (or when forced); True if it ran."""
        try:
            source = self.path.read_bytes()
        except FileNotFoundError:
            self.note = Text(f"{shown_path(self.path)} is missing; press r to put the starter back.", style="yellow")
            return True
        except OSError as exc:
            self.note = Text(f"cannot read {shown_path(self.path)}: {exc.strerror or exc}", style="red")
            return True
        if source == self.last_source and not force:
            return False
        self.last_source = source
        if source == starter_file(self.kata).encode("utf-8") and not force:
            self.verdict = None  # untouched: show the task, not a NotImplementedError
            return True
        self.out.print(Text("checking…", style="dim"))
        self.picture = None
        try:
            self.verdict = self.judge.grade(self.kata.slug, source, filename=str(self.path))
        except Exception as exc:  # the judge itself failed: say so and keep watching
            self.verdict = None
            self.note = Text(f"the judge failed: {exc}", style="red")
            return True
        self.checked_at = time.strftime("%H:%M:%S")
        try:
            self.ws.record_check(self.kata.slug, self.verdict.status)
        except WorkspaceError as exc:
            self.note = Text(f"progress not recorded: {exc}", style="red")
        if self.verdict.passed:
            nxt = self.ws.next_unsolved(list(self.catalog.katas), self.kata.slug)
            if nxt is not None:
                self._warm_in_background(nxt)
        return True

    def add_picture(self) -> bool:
        """After the verdict is on screen: find a small case to draw if the failure is too big
        to (a few extra gradings of one case); True when there is one to show."""
        if self.verdict is None or self.verdict.passed or self.picture is not None or self.last_source is None:
            return False
        from mlkatas.views.grids import find_picture

        try:
            self.picture = find_picture(self.judge, self.verdict, self.last_source)
        except Exception:  # a picture is a bonus; the verdict is already shown
            return False
        return self.picture is not None

    # -- keys -----------------------------------------------------------------------------
    def key(self, ch: str) -> bool:
        """Act on one key; True when the screen must be drawn again."""
        if ch in ("q", "Q", "\x04"):
            self.quit = True
            return False
        if ch == "h":
            return self.reveal_hint()
        if ch == "l":
            solved, attempted = set(self.ws.solved()), set(self.ws.attempted())
            self.note = render.kata_table(list(self.catalog), solved, attempted)
            return True
        if ch == "n":
            return self.next()
        if ch == "r":
            return self.reset()
        if ch in ("\r", "\n"):
            self.note = None
            self.check(force=True)
            return True
        return False

    def reveal_hint(self) -> bool:
        if not self.kata.hints:
            self.note = Text("This kata has no hints.", style="dim")
            return True
        before = self.ws.record(self.kata.slug)["hints"]
        revealed = self.ws.reveal_hint(self.kata.slug, len(self.kata.hints))
        if revealed == before:
            self.note = Text("No more hints: `mlkatas solution --give-up` shows the reference.", style="dim")
        return True

    def next(self) -> bool:
        nxt = self.ws.next_unsolved(list(self.catalog.katas), self.kata.slug)
        if nxt is None:
            self.note = Text(f"Every kata is solved ({len(self.catalog)} of {len(self.catalog)}).", style="bold green")
            return True
        self.note = None
        self.open_kata(nxt)
        self.check()
        return True

    def reset(self) -> bool:
        backup = self.ws.reset(self.kata.slug, starter_file(self.kata))
        kept = f"; your version is in {shown_path(backup)}" if backup else ""
        self.note = Text(f"Reset {shown_path(self.path)} to the starter{kept}.", style="yellow")
        self.last_source = None
        self.check()
        return True

    # -- the screen -----------------------------------------------------------------------
    def screen(self, watching: str) -> Group:
        solved = set(self.ws.solved())
        position = list(self.catalog.katas).index(self.kata.slug) + 1
        title = Text.assemble(
            ("mlkatas watch", "bold"), "  ·  ", (self.kata.slug, "cyan"), f" · {self.kata.title}",
            (f"  ·  kata {position} of {len(self.catalog)}, {len(solved)} solved", "dim"),
        )
        parts: list = [title, Text("")]
        if self.verdict is None:
            parts.append(render.kata_panel(self.kata))
            parts.append(Text.assemble("Edit ", (shown_path(self.path), "cyan"), " and save: it is checked each time."))
        else:
            parts.append(render.verdict_view(self.verdict, self.picture))
            if self.verdict.passed:
                parts.append(self._solved_line())
        revealed = self.ws.record(self.kata.slug)["hints"]
        if revealed:
            parts.append(render.hints_view(list(self.kata.hints), revealed))
        if self.note is not None:
            parts.append(self.note)
        status = f"{shown_path(self.path)}  ·  " + (f"checked {self.checked_at}  ·  " if self.checked_at else "") + watching
        parts += [Rule(style="dim"), Text(status, style="dim"), Text(KEYS_HELP, style="bold")]
        return Group(*parts)

    def _solved_line(self) -> Text:
        nxt = self.ws.next_unsolved(list(self.catalog.katas), self.kata.slug)
        if nxt is None:
            return Text(f"✓ Solved! That was the last one: all {len(self.catalog)} katas solved.", style="bold green")
        kata = self.catalog.get(nxt)
        return Text.assemble(("✓ Solved! ", "bold green"), "Press ", ("n", "bold"), f" for the next kata: {kata.slug} · {kata.title} ({kata.difficulty}).")


def run(catalog: Catalog, ws: Workspace, slug: str, poll: bool = False, manual: bool = False, out: Console | None = None) -> int:
    """The watch loop; returns the exit status."""
    out = out or render.console()
    try:
        stdin_fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):  # no real stdin: saves only
        stdin_fd = -1
    events = None if manual else SaveEvents(ws.root, poll=poll)
    watching = "manual: press Enter to check" if manual else ("polling for saves" if poll else "watching for saves")

    def stop(signum, frame):  # a closed terminal or a kill: leave through the finally blocks
        raise KeyboardInterrupt

    ws.root.mkdir(parents=True, exist_ok=True)  # a folder must exist to be watched
    if events is not None:
        events.start()  # before the judge's warm-up thread starts importing torch
    session = WatchSession(catalog, ws, slug, out)
    old_handlers = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with single_keys(stdin_fd) if stdin_fd >= 0 else _no_keys():
            session.check()
            draw(out, session, watching)
            if session.add_picture():
                draw(out, session, watching)
            readers = [fd for fd in (events.fd if events else -1, stdin_fd) if fd >= 0]
            while not session.quit:
                ready, _, _ = select.select(readers, [], [])
                redraw = False
                if events is not None and events.fd in ready:
                    saved = events.drain()
                    if events.became_live:  # a save before the watch was live had no event
                        saved.add(session.path)
                    if events.error:
                        session.note = Text(events.error + " (press Enter to check by hand)", style="red")
                        readers.remove(events.fd)
                        redraw = True
                    if any(p.name == session.path.name for p in saved):
                        session.note = None
                        redraw |= session.check()
                if stdin_fd in ready:
                    data = os.read(stdin_fd, 64)
                    if not data:  # stdin closed: saves still work, keys do not
                        readers.remove(stdin_fd)
                        if not readers:
                            break
                    for ch in data.decode("utf-8", "replace"):
                        redraw |= session.key(ch)
                        if session.quit:
                            break
                if redraw and not session.quit:
                    draw(out, session, watching)
                    if session.add_picture():
                        draw(out, session, watching)
    except KeyboardInterrupt:
        pass
    finally:
        if events is not None:
            events.stop()
        session.close()
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
    solved = len(ws.solved())
    out.print(Text(f"Stopped watching. {solved} of {len(catalog)} katas solved; `mlkatas progress` shows more.", style="dim"))
    return 0


@contextmanager
def _no_keys() -> Iterator[bool]:
    yield False


def draw(out: Console, session: WatchSession, watching: str) -> None:
    out.clear()
    out.print(session.screen(watching))
