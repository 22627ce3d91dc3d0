"""The state of one `mlkatas watch` and what each WatchEvent does to it; no terminal here.

The session holds the kata on screen, the warm judge, the last verdict (and a small picture of
its mistake), and a one-off note below it. `handle` applies one event and says whether the
screen must be drawn again; screen.py draws the session, loop.py feeds it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

from mlkatas.catalog import Catalog
from mlkatas.catalog.kata import Kata
from mlkatas.cli.common import shown_path
from mlkatas.cli.watch.events import FilesSaved, KeyPressed, WatchEvent, WatchFailed, WatchLive
from mlkatas.engine.verdict import Verdict
from mlkatas.learner.workspace import Workspace, WorkspaceError, starter_file

if TYPE_CHECKING:
    from mlkatas.views.picture import Picture

QUIT_KEYS = ("q", "Q", "\x04")
CHECK_KEYS = ("\r", "\n")


@dataclass(frozen=True)
class Message:
    """A one-off line below the verdict; `tone` is how the screen colours it."""

    text: str
    tone: Literal["quiet", "warning", "error", "success"]


@dataclass(frozen=True)
class KataList:
    """The catalogue with ✓ solved and • started, in place of a message (the `l` key)."""


Note = Message | KataList


class WatchSession:
    """One watch: the kata on screen, its file, the judge kept warm between saves, the last
    verdict, and what saves and keys do to them.

    The judge is made on first use (importing it loads torch); `judge` shares a running one
    instead, which the caller closes. `on_checking` is called just before a grading starts, so
    the screen can say so while the learner waits."""

    def __init__(
        self,
        catalog: Catalog,
        ws: Workspace,
        slug: str,
        *,
        judge=None,
        on_checking: Callable[[], None] = lambda: None,
    ):
        self.catalog = catalog
        self.ws = ws
        self.on_checking = on_checking
        self._judge = judge
        self._owns_judge = judge is None
        self._judge_lock = threading.Lock()
        self._closed = False
        self._warmers: list[threading.Thread] = []
        self.kata: Kata = catalog.get(slug)
        self.verdict: Verdict | None = None
        self.picture: Picture | None = None  # a small case with the same mistake, when the first failure is big
        self.last_source: bytes | None = None
        self.checked_at = ""
        self.note: Note | None = None
        self.quit = False
        self.open_kata(slug)

    # -- state ----------------------------------------------------------------------------
    @property
    def judge(self):
        """The local judge, made on first use (done off the main thread by `_warm`, so the
        first screen does not wait for torch's import)."""
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
            if self._judge is not None and self._owns_judge:
                self._judge.close()

    @property
    def path(self) -> Path:
        return self.ws.kata_file(self.kata.slug)

    @property
    def next_slug(self) -> str | None:
        """The kata `n` opens: the next unsolved one after this, wrapping round (None: all solved)."""
        return self.ws.next_unsolved(list(self.catalog.katas), self.kata.slug)

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

    # -- events ---------------------------------------------------------------------------
    def handle(self, event: WatchEvent) -> bool:
        """Apply one event; True when the screen must be drawn again."""
        if isinstance(event, WatchLive):  # a save before the watch was live had no event
            return self.saved()
        if isinstance(event, FilesSaved):
            return any(p.name == self.path.name for p in event.paths) and self.saved()
        if isinstance(event, WatchFailed):
            self.note = Message(event.problem + " (press Enter to check by hand)", "error")
            return True
        if isinstance(event, KeyPressed):
            return self.key(event.key)
        return False  # KeysClosed: saves still work, keys do not

    def saved(self) -> bool:
        """The kata's file was saved (or may have been): the note goes, the file is checked."""
        self.note = None
        return self.check()

    def key(self, ch: str) -> bool:
        """Act on one key; True when the screen must be drawn again."""
        if ch in QUIT_KEYS:
            self.quit = True
            return False
        if ch == "h":
            return self.reveal_hint()
        if ch == "l":
            self.note = KataList()
            return True
        if ch == "n":
            return self.next()
        if ch == "r":
            return self.reset()
        if ch in CHECK_KEYS:
            self.note = None
            self.check(force=True)
            return True
        return False

    # -- checking -------------------------------------------------------------------------
    def check(self, force: bool = False) -> bool:
        """Grade the file if it changed since the last check (or when forced); True if it ran."""
        try:
            source = self.path.read_bytes()
        except FileNotFoundError:
            self.note = Message(f"{shown_path(self.path)} is missing; press r to put the starter back.", "warning")
            return True
        except OSError as exc:
            self.note = Message(f"cannot read {shown_path(self.path)}: {exc.strerror or exc}", "error")
            return True
        if source == self.last_source and not force:
            return False
        self.last_source = source
        if source == starter_file(self.kata).encode("utf-8") and not force:
            self.verdict = None  # untouched: show the task, not a NotImplementedError
            return True
        self.on_checking()
        self.picture = None
        try:
            self.verdict = self.judge.grade(self.kata.slug, source, filename=str(self.path))
        except Exception as exc:  # the judge itself failed: say so and keep watching
            self.verdict = None
            self.note = Message(f"the judge failed: {exc}", "error")
            return True
        self.checked_at = time.strftime("%H:%M:%S")
        try:
            self.ws.record_check(self.kata.slug, self.verdict.status)
        except WorkspaceError as exc:
            self.note = Message(f"progress not recorded: {exc}", "error")
        if self.verdict.passed:
            nxt = self.next_slug
            if nxt is not None:
                self._warm_in_background(nxt)
        return True

    def add_picture(self) -> bool:
        """After the verdict is on screen: find a small case to draw if the failure is too big
        to (a few extra gradings of one case); True when there is one to show."""
        if self.verdict is None or self.verdict.passed or self.picture is not None or self.last_source is None:
            return False
        from mlkatas.views.picture import find_picture

        try:
            self.picture = find_picture(self.judge, self.verdict, self.last_source)
        except Exception:  # a picture is a bonus; the verdict is already shown
            return False
        return self.picture is not None

    # -- keys -----------------------------------------------------------------------------
    def reveal_hint(self) -> bool:
        if not self.kata.hints:
            self.note = Message("This kata has no hints.", "quiet")
            return True
        before = self.ws.record(self.kata.slug)["hints"]
        revealed = self.ws.reveal_hint(self.kata.slug, len(self.kata.hints))
        if revealed == before:
            self.note = Message("No more hints: `mlkatas solution --give-up` shows the reference.", "quiet")
        return True

    def next(self) -> bool:
        nxt = self.next_slug
        if nxt is None:
            self.note = Message(f"Every kata is solved ({len(self.catalog)} of {len(self.catalog)}).", "success")
            return True
        self.note = None
        self.open_kata(nxt)
        self.check()
        return True

    def reset(self) -> bool:
        backup = self.ws.reset(self.kata.slug, starter_file(self.kata))
        kept = f"; your version is in {shown_path(backup)}" if backup else ""
        self.note = Message(f"Reset {shown_path(self.path)} to the starter{kept}.", "warning")
        self.last_source = None
        self.check()
        return True
