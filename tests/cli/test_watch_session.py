"""A watch session fed events without a terminal: what a save or a key does, as the learner
would see it on the next screen (and in the progress file)."""

from __future__ import annotations

import pytest
from rich.console import Console

from mlkatas.cli.watch.events import FilesSaved, KeyPressed, KeysClosed, WatchFailed, WatchLive
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


def test_r_puts_the_starter_back_and_keeps_your_version(session, split):
    save(session, wrong(split))
    assert session.handle(KeyPressed("r")) is True
    assert "raise NotImplementedError" in session.path.read_text()
    backups = list((session.ws.root / "backups").glob("split-heads-*.py"))
    assert [b.read_text() for b in backups] == [wrong(split)]
    assert session.note.text.startswith("Reset katas/split-heads.py to the starter; your version is in katas/backups/")
    assert session.verdict is None  # the starter again: the task is shown


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
