"""A watch session fed events without a terminal: what a save or a key does, as the learner
would see it on the next screen (and in the progress file)."""

from __future__ import annotations

import pytest
from rich.console import Console

from mlkatas.cli.watch.events import FilesSaved, KeyPressed, KeysClosed, TimePassed, WatchFailed, WatchLive
from mlkatas.cli.watch.screen import screen
from mlkatas.cli.watch.session import KataList, Message, WatchSession
from mlkatas.learner.workspace import Workspace

SLUG = "split-heads"


@pytest.fixture
def session(catalog, judge, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # messages show paths as the learner types them: katas/...
    watch = WatchSession(catalog, Workspace(tmp_path / "katas"), SLUG, judge=judge)
    yield watch
    watch.close()


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(session):
    session.clock = Clock()
    return session.clock


@pytest.fixture
def split(catalog):
    return catalog.get(SLUG)


def wrong(kata) -> str:
    return next(v for v in kata.variants if v.name == "wrong_head_minor").path.read_text()


def save(session, text: str) -> bool:
    session.path.write_text(text)
    return session.handle(FilesSaved(frozenset({session.path})))


def progress(session) -> Workspace:
    return Workspace(session.ws.root)  # the state file as a new command would read it


def following(catalog) -> str:
    order = list(catalog.katas)
    return order[(order.index(SLUG) + 1) % len(order)]


def shown(session) -> str:
    console = Console(width=160, record=True, color_system=None)
    console.print(screen(session, "watching for saves"))
    return console.export_text()


def test_an_untouched_starter_shows_the_task(session):
    assert session.path.is_file() and "raise NotImplementedError" in session.path.read_text()
    assert session.handle(WatchLive()) is True
    assert session.verdict is None  # the task, not a NotImplementedError
    assert "Multi-Head Attention" in shown(session)
    assert progress(session).record(SLUG)["attempts"] == 0


def test_a_save_of_a_passing_file_marks_the_kata_solved(session, split, catalog):
    checking = []
    session.on_checking = lambda: checking.append(True)
    assert save(session, split.solution) is True
    assert session.verdict.passed and checking == [True]
    assert progress(session).solved() == [SLUG]
    assert f"Solved! Press n for the next kata: {following(catalog)}" in shown(session)


def test_a_wrong_save_names_the_mistake_once(session, split):
    assert save(session, wrong(split)) is True
    assert session.verdict.status == "failed" and session.verdict.first_failure.kind == "rearranged"
    assert "FAILED" in shown(session)
    assert session.handle(FilesSaved(frozenset({session.path}))) is False  # the same text is not graded again
    record = progress(session).record(SLUG)
    assert record["attempts"] == 1 and not record["solved"]


def test_a_save_of_another_file_in_the_folder_is_not_checked(session, split):
    other = session.ws.root / "notes.py"
    other.write_text(split.solution)
    assert session.handle(FilesSaved(frozenset({other}))) is False
    assert session.verdict is None and progress(session).solved() == []


def test_n_after_a_pass_moves_to_the_next_kata(session, split, catalog):
    save(session, split.solution)
    assert session.handle(KeyPressed("n")) is True
    nxt = following(catalog)
    assert session.kata.slug == nxt and session.verdict is None
    assert session.ws.kata_file(nxt).is_file()
    assert progress(session).current == nxt
    assert f"mlkatas watch  ·  {nxt}" in shown(session)


def test_n_with_every_kata_solved_says_so(session, catalog):
    for slug in catalog.katas:
        session.ws.record_check(slug, "passed")
    session.handle(KeyPressed("n"))
    assert session.kata.slug == SLUG
    assert session.note == Message(f"Every kata is solved ({len(catalog)} of {len(catalog)}).", "success")


def test_r_asks_first_then_puts_the_starter_back_and_keeps_your_version(session, split, clock):
    save(session, wrong(split))
    assert session.handle(KeyPressed("r")) is True
    assert session.note.text == (
        "Press r again to reset split-heads to the starter (your version goes to katas/backups/); "
        "any other key cancels."
    )
    assert "Press r again to reset split-heads" in shown(session)
    assert session.path.read_text() == wrong(split)  # asked, not done
    clock.advance(1.0)
    assert session.handle(KeyPressed("r")) is True
    assert "raise NotImplementedError" in session.path.read_text()
    backups = list((session.ws.root / "backups").glob("split-heads-*.py"))
    assert [b.read_text() for b in backups] == [wrong(split)]
    assert session.note.text.startswith("Reset katas/split-heads.py to the starter; your version is in katas/backups/")
    assert session.verdict is None  # the starter again: the task is shown


def test_r_leaves_an_untouched_starter_alone_and_puts_back_a_missing_file_at_once(session):
    starter = session.path.read_bytes()
    assert session.handle(KeyPressed("r")) is True
    assert session.note == Message("katas/split-heads.py is the starter already: nothing to reset.", "quiet")
    assert progress(session).record(SLUG)["resets"] == []  # nothing done, nothing recorded
    session.path.unlink()
    session.handle(KeyPressed("r"))  # nothing to lose: no question
    assert session.note.text == "Reset katas/split-heads.py to the starter."
    assert session.path.read_bytes() == starter and not (session.ws.root / "backups").exists()


def test_a_question_is_answered_only_by_the_same_key_after_a_pause_and_in_time(session, split, clock):
    save(session, wrong(split))
    session.handle(KeyPressed("r"))
    clock.advance(0.1)
    assert session.handle(KeyPressed("r")) is False  # the "rr" of "error": typing, not an answer
    assert session.path.read_text() == wrong(split) and "Press r again" in session.note.text
    assert session.handle(KeyPressed("o")) is True  # any other key cancels, and does nothing else
    assert session.note == Message("Not reset: katas/split-heads.py is as it was.", "quiet")
    session.handle(KeyPressed("r"))
    clock.advance(6.0)
    assert session.wake_in() == pytest.approx(0.05)  # the loop wakes the session when a question runs out
    assert session.handle(TimePassed()) is True and session.note is None
    session.handle(KeyPressed("r"))  # after the question ran out, r asks again
    assert "Press r again" in session.note.text
    assert session.path.read_text() == wrong(split)
    assert not (session.ws.root / "backups").exists()


def test_n_before_a_pass_asks_first(session, split, catalog, clock):
    save(session, wrong(split))
    nxt = following(catalog)
    assert session.handle(KeyPressed("n")) is True
    assert session.note.text == f"Press n again to leave split-heads unsolved and open {nxt}; any other key cancels."
    session.handle(KeyPressed("x"))
    assert session.kata.slug == SLUG and session.note == Message("Still on split-heads.", "quiet")
    session.handle(KeyPressed("n"))
    clock.advance(1.0)
    session.handle(KeyPressed("n"))
    assert session.kata.slug == nxt and progress(session).current == nxt


def test_typing_into_the_watch_by_mistake_changes_no_file_and_no_kata(session, split):
    save(session, split.solution)
    files = {p: p.read_bytes() for p in session.ws.root.iterdir() if p.is_file() and p.suffix == ".py"}
    for ch in "return x\n":  # in one go, as keys typed into the wrong pane arrive
        session.handle(KeyPressed(ch))
    assert session.kata.slug == SLUG and progress(session).current == SLUG
    assert {p: p.read_bytes() for p in files} == files
    assert not (session.ws.root / "backups").exists() and not session.quit


def test_l_then_a_number_and_enter_opens_that_kata(session, catalog):
    order = list(catalog.katas)
    target = next(s for s in order if s != SLUG)
    number = str(order.index(target) + 1)
    session.handle(KeyPressed("l"))
    assert "Type a kata's number and press Enter to open it" in shown(session)
    for ch in number:
        session.handle(KeyPressed(ch))
    assert f"Enter opens #{number} {target}" in shown(session)
    assert session.handle(KeyPressed("\r")) is True
    assert session.kata.slug == target and session.note is None and progress(session).current == target
    session.handle(KeyPressed("l"))
    for ch in "99\n":
        session.handle(KeyPressed(ch))
    assert session.note.problem == f"No kata #99: the list goes from 1 to {len(catalog)}."
    session.handle(KeyPressed("\x1b"))  # Esc closes the list
    assert session.note is None and session.kata.slug == target


def test_a_start_in_another_terminal_is_followed(session, catalog):
    other = next(s for s in catalog.katas if s != SLUG)
    Workspace(session.ws.root).start(other, "def f():\n    pass\n")  # as `mlkatas start` would, elsewhere
    assert session.handle(FilesSaved(frozenset({session.ws.state_path}))) is True
    assert session.kata.slug == other
    assert session.note == Message(f"Now on {other}: it was started in another terminal.", "quiet")
    assert session.handle(FilesSaved(frozenset({session.ws.state_path}))) is False  # its own writes change nothing


def test_h_reveals_one_hint_at_a_time(session, split):
    assert len(split.hints) == 2
    session.handle(KeyPressed("h"))
    assert progress(session).record(SLUG)["hints"] == 1 and "hint 1 of 2" in shown(session)
    session.handle(KeyPressed("h"))
    session.handle(KeyPressed("h"))
    assert progress(session).record(SLUG)["hints"] == 2
    assert "No more hints" in session.note.text


def test_enter_checks_even_an_unchanged_file(session, split):
    session.path.write_text(split.solution)
    assert session.handle(KeyPressed("\n")) is True and session.verdict.passed
    session.handle(KeyPressed("\r"))
    assert progress(session).record(SLUG)["attempts"] == 2


def test_l_lists_the_katas_and_q_quits(session, catalog):
    assert session.handle(KeyPressed("l")) is True
    assert isinstance(session.note, KataList) and following(catalog) in shown(session)
    assert session.handle(KeyPressed("x")) is False and not session.quit  # an unknown key does nothing
    assert session.handle(KeysClosed()) is False and not session.quit  # saves still work
    session.handle(KeyPressed("q"))
    assert session.quit


def test_a_missing_file_or_a_failed_watch_says_what_to_do(session):
    session.path.unlink()
    assert session.handle(WatchLive()) is True
    assert session.note == Message("katas/split-heads.py is missing; press r to put the starter back.", "warning")
    session.handle(WatchFailed("watching katas stopped: gone"))
    assert session.note.text == "watching katas stopped: gone (press Enter to check by hand)"
    assert "press Enter to check by hand" in shown(session)


LOOPED = (
    "import torch\n\n\n"
    "def split_heads(x, num_heads):\n"
    "    d = x.shape[2] // num_heads\n"
    "    heads = [x[:, :, i * d:(i + 1) * d] for i in range(num_heads)]\n"
    "    return torch.stack(heads, dim=1)\n"
)


def test_a_pass_with_a_loop_shows_the_vectorised_form_as_check_does(session, split):
    assert save(session, LOOPED) is True and session.verdict.passed
    screen_text = shown(session)
    assert "the vectorised form" in screen_text and "with a comprehension (line 6)" in screen_text
    assert "b n (h d) -> b h n d" in screen_text  # the reference itself
    assert save(session, split.solution) is True and session.verdict.passed
    assert "the vectorised form" not in shown(session)
