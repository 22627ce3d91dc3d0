"""The state of one `mlkatas watch` and what each WatchEvent does to it; no terminal here.

The session holds the kata on screen, the warm judge, the last verdict (and a small picture of
its mistake), and a one-off note below it. `handle` applies one event and says whether the
screen must be drawn again; screen.py draws the session, loop.py feeds it.

Keys that lose work or leave the kata (`r`, and `n` before the kata is solved) ask first: the
same key again, after a pause and within CONFIRM_S, does it; any other key cancels. A learner
who types into the wrong pane (`return x`, `error`) never answers such a question by accident.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

from mlkatas.catalog import Catalog
from mlkatas.catalog.kata import Kata
from mlkatas.cli.common import shown_path, starter
from mlkatas.cli.invocation import command
from mlkatas.cli.watch.events import FilesSaved, KeyPressed, TimePassed, WatchEvent, WatchFailed, WatchLive
from mlkatas.engine.verdict import Verdict
from mlkatas.learner.workspace import BACKUP_DIR, Workspace, WorkspaceError, is_starter
from mlkatas.views.fluency import LoopNote, loop_note

if TYPE_CHECKING:
    from mlkatas.views.picture import Picture

QUIT_KEYS = ("q", "Q", "\x04")
CHECK_KEYS = ("\r", "\n")
ESCAPE = "\x1b"
ERASE_KEYS = ("\x7f", "\b")  # Backspace, as terminals send it
DIGITS = "0123456789"
# A second press sooner than CONFIRM_PAUSE_S after the question is typing, not an answer (the
# "rr" of "error"); later than CONFIRM_S, the question has run out.
CONFIRM_PAUSE_S = 0.3
CONFIRM_S = 5.0


def quits(event: WatchEvent) -> bool:
    """A key that ends the watch (q, Ctrl-D): acted on at once, even while a check runs."""
    return isinstance(event, KeyPressed) and event.key in QUIT_KEYS


@dataclass(frozen=True)
class Message:
    """A one-off line below the verdict; `tone` is how the screen colours it."""

    text: str
    tone: Literal["quiet", "warning", "error", "success"]


@dataclass(frozen=True)
class KataList:
    """The catalogue with ✓ solved and • started, in place of a message (the `l` key): `typed`
    is the number typed so far (Enter opens that kata), `problem` why the last one did not."""

    typed: str = ""
    problem: str = ""


@dataclass(frozen=True)
class Confirm:
    """A question after a key that loses work or leaves the kata: `key` again does `act`."""

    key: str
    text: str
    act: Callable[[], bool]
    cancelled: str  # said when another key cancels
    asked_at: float


Note = Message | KataList | Confirm


class WatchSession:
    """One watch: the kata on screen, its file, the judge kept warm between saves, the last
    verdict, and what saves and keys do to them.

    The judge is made on first use (importing it loads torch); `judge` shares a running one
    instead, which the caller closes. `on_checking` is called just before a grading starts, so
    the screen can say so while the learner waits. `close` may come from another thread while
    a check runs: it closes the judge, which kills the check, and the check is not recorded."""

    def __init__(
        self,
        catalog: Catalog,
        ws: Workspace,
        slug: str,
        *,
        judge=None,
        on_checking: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.catalog = catalog
        self.ws = ws
        self.on_checking = on_checking
        self.clock = clock
        self._judge = judge
        self._owns_judge = judge is None
        self._judge_lock = threading.Lock()
        self._closed = False
        self.stopping = False  # set first thing by `close`: a check in flight is being killed
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
        self.stopping = True
        # A warm-up still building cases when Python exits would abort the process (torch's
        # threads do not survive interpreter shutdown), so let it finish first.
        for thread in self._warmers:
            thread.join(timeout=30)
        with self._judge_lock:
            self._closed = True
            if self._judge is not None and self._owns_judge:
                self._judge.close()  # a running check's child is killed with its zygote

    @property
    def path(self) -> Path:
        return self.ws.kata_file(self.kata.slug)

    @property
    def next_slug(self) -> str | None:
        """The kata `n` opens: the next unsolved one after this, wrapping round (None: no other)."""
        return self.ws.next_unsolved(list(self.catalog.katas), self.kata.slug)

    @property
    def solved(self) -> bool:
        return self.kata.slug in self.ws.solved()

    def wake_in(self) -> float | None:
        """Seconds until the question on screen runs out (then send TimePassed); None: no question."""
        if not isinstance(self.note, Confirm):
            return None
        return max(0.0, self.note.asked_at + CONFIRM_S - self.clock()) + 0.05

    @property
    def loops(self) -> LoopNote | None:
        """After a pass with loops, the vectorised form, as `mlkatas check` shows it."""
        if self.verdict is None or not self.verdict.passed or self.last_source is None:
            return None
        return loop_note(self.last_source, self.kata)

    def open_kata(self, slug: str) -> None:
        self.kata = self.catalog.get(slug)
        self.ws.start(slug, starter(self.kata))  # writes the starter only if there is no file
        self.verdict = None
        self.picture = None
        self.last_source = None
        self.checked_at = ""
        self._warm_in_background(slug)

    def _warm_in_background(self, slug: str) -> None:
        if self.stopping:  # `close` no longer waits for new warm-ups
            return
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
            return self.check()  # the note stays: it may be a question the learner is reading
        if isinstance(event, FilesSaved):
            names = {p.name for p in event.paths}
            changed = self.path.name in names and self.saved()
            if self.ws.state_path.name in names:  # this watch's own writes come too: follow_current ignores them
                changed = self.follow_current() or changed
            return changed
        if isinstance(event, WatchFailed):
            self.note = Message(event.problem + " (press Enter to check by hand)", "error")
            return True
        if isinstance(event, KeyPressed):
            return self.key(event.key)
        if isinstance(event, TimePassed):
            return self.expire()
        return False  # KeysClosed: saves still work, keys do not

    def saved(self) -> bool:
        """The kata's file was saved (or may have been): if it changed, the note goes and the
        file is checked (an event for a file that did not change leaves a question on screen)."""
        return self.check(new_save=True)

    def follow_current(self) -> bool:
        """The state file changed: when another command made another kata current (`start`,
        `next`, `reset` in another terminal), open that one here too."""
        try:
            current = self.ws.reload().get("current")
        except WorkspaceError as exc:
            self.note = Message(f"cannot read the progress file: {exc.problem}", "error")
            return True
        if not isinstance(current, str) or current == self.kata.slug or current not in self.catalog:
            return False  # this watch's own writes, or a kata this catalogue lacks
        self.open_kata(current)
        self.note = Message(f"Now on {current}: it was started in another terminal.", "quiet")
        self.check()
        return True

    def key(self, ch: str) -> bool:
        """Act on one key; True when the screen must be drawn again."""
        if ch in QUIT_KEYS:
            self.quit = True
            return False
        note = self.note
        if isinstance(note, Confirm):
            return self.answer(note, ch)
        if isinstance(note, KataList) and (ch in DIGITS or ch in ERASE_KEYS or ch == ESCAPE or
                                           (note.typed and ch in CHECK_KEYS)):
            return self.pick(note, ch)
        if ch == "h":
            return self.reveal_hint()
        if ch == "l":
            self.note = KataList()
            return True
        if ch == "n":
            return self.press_next()
        if ch == "r":
            return self.press_reset()
        if ch in CHECK_KEYS:
            self.note = None
            self.check(force=True)
            return True
        return False

    def expire(self) -> bool:
        """The question on screen ran out: it goes."""
        note = self.note
        if isinstance(note, Confirm) and self.clock() - note.asked_at > CONFIRM_S:
            self.note = None
            return True
        return False

    # -- checking -------------------------------------------------------------------------
    def check(self, force: bool = False, new_save: bool = False) -> bool:
        """Grade the file if it changed since the last check (or when forced); True if it ran.
        `new_save`: a change is the learner's save, so the note on screen goes."""
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
        if new_save:
            self.note = None
        self.last_source = source
        if is_starter(source, self.kata) and not force:
            self.verdict = None  # untouched: show the task, not a NotImplementedError
            return True
        self.on_checking()
        self.picture = None
        try:
            verdict = self.judge.grade(self.kata.slug, source, filename=str(self.path))
        except Exception as exc:  # the judge itself failed: say so and keep watching
            if self.stopping:
                return False
            self.verdict = None
            self.note = Message(f"the judge failed: {exc}", "error")
            return True
        if self.stopping:  # killed by quitting: not a verdict on the learner's code
            return False
        self.verdict = verdict
        self.checked_at = time.strftime("%H:%M:%S")
        try:
            self.ws.record_check(self.kata.slug, verdict.status)
        except WorkspaceError as exc:
            self.note = Message(f"progress not recorded: {exc}", "error")
        if verdict.passed:
            nxt = self.next_slug
            if nxt is not None:
                self._warm_in_background(nxt)
        return True

    def add_picture(self) -> bool:
        """After the verdict is on screen: find a small case to draw if the failure is too big
        to (a few extra gradings of one case); True when there is one to show."""
        if self.verdict is None or self.verdict.passed or self.picture is not None or self.last_source is None:
            return False
        if self.stopping:
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
            shows = command("solution", self.kata.slug, *(() if self.solved else ("--give-up",)))
            self.note = Message(f"No more hints: `{shows}` shows the reference.", "quiet")
        return True

    def ask(self, key: str, text: str, act: Callable[[], bool], cancelled: str) -> bool:
        self.note = Confirm(key, text, act, cancelled, self.clock())
        return True

    def answer(self, question: Confirm, ch: str) -> bool:
        """A key while a question is on screen: the same key again does it (unless it came too
        soon to be an answer, or too late); any other key cancels, and does nothing else."""
        if ch != question.key:
            self.note = Message(question.cancelled, "quiet")
            return True
        waited = self.clock() - question.asked_at
        if waited < CONFIRM_PAUSE_S:
            return False  # typing, not an answer: the question stays
        self.note = None
        if waited > CONFIRM_S:
            return self.key(ch)  # the question had run out: this press asks again
        return question.act()

    def press_next(self) -> bool:
        """`n`: once the kata is solved it only moves on; before, it asks."""
        nxt = self.next_slug
        if self.solved or nxt is None:
            return self.next()
        return self.ask(
            "n", f"Press n again to leave {self.kata.slug} unsolved and open {nxt}; any other key cancels.",
            self.next, f"Still on {self.kata.slug}.",
        )

    def next(self) -> bool:
        nxt = self.next_slug
        if nxt is None:
            if self.solved:
                self.note = Message(f"Every kata is solved ({len(self.catalog)} of {len(self.catalog)}).", "success")
            else:
                self.note = Message(f"{self.kata.slug} is the only kata left unsolved.", "quiet")
            return True
        self.note = None
        self.open_kata(nxt)
        self.check()
        return True

    def press_reset(self) -> bool:
        """`r`: puts back a missing file at once, leaves the starter alone, and asks first when
        the file holds work."""
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return self.reset()
        except OSError as exc:
            self.note = Message(f"cannot read {shown_path(self.path)}: {exc.strerror or exc}", "error")
            return True
        if is_starter(content, self.kata):
            self.note = Message(f"{shown_path(self.path)} is the starter already: nothing to reset.", "quiet")
            return True
        backups = shown_path(self.ws.root / BACKUP_DIR)
        return self.ask(
            "r",
            f"Press r again to reset {self.kata.slug} to the starter (your version goes to {backups}/); "
            "any other key cancels.",
            self.reset, f"Not reset: {shown_path(self.path)} is as it was.",
        )

    def reset(self) -> bool:
        backup = self.ws.reset(self.kata.slug, starter(self.kata))
        kept = f"; your version is in {shown_path(backup)} (reload the file in your editor)" if backup else ""
        self.note = Message(f"Reset {shown_path(self.path)} to the starter{kept}.", "warning")
        self.last_source = None
        self.check()
        return True

    def pick(self, listing: KataList, ch: str) -> bool:
        """A key for the open list: digits make a kata's number, Enter opens it, Backspace
        takes a digit back, Esc closes the list."""
        if ch == ESCAPE:
            self.note = None
        elif ch in ERASE_KEYS:
            self.note = KataList(listing.typed[:-1])
        elif ch in DIGITS:
            self.note = KataList((listing.typed + ch)[-3:])
        else:
            return self.open_number(listing.typed)
        return True

    def picked(self, typed: str) -> str | None:
        """The kata numbered `typed` in the list (1 is the first), or None."""
        order = list(self.catalog.katas)
        number = int(typed) if typed else 0
        return order[number - 1] if 1 <= number <= len(order) else None

    def open_number(self, typed: str) -> bool:
        slug = self.picked(typed)
        if slug is None:
            self.note = KataList(problem=f"No kata #{int(typed)}: the list goes from 1 to {len(self.catalog)}.")
            return True
        self.note = None
        if slug != self.kata.slug:
            self.open_kata(slug)
            self.check()
        return True
