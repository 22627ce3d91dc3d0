"""Submissions as records: the migration up and down, fair use counted in the database, a claim
that only one grader wins, a verdict written once, and what a dead grader left behind requeued."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, inspect, select

from mlkatas.store import practice, submissions
from mlkatas.store.db import Database
from mlkatas.store.errors import StoreError
from mlkatas.store.models import Action, Kata, Submission, User
from mlkatas.store.submissions import FairUse, Owner, SubmissionRefused

NEW_TABLES = {"submissions", "kata_progress", "drafts"}
PASSED = {"kata": "k", "status": "passed", "summary": "all 3 checks passed", "cases": [], "elapsed_ms": 12.5}


@pytest.fixture
def kata_id(db) -> int:
    with db.session() as s:
        kata = Kata(slug="k", title="K", description="d", difficulty="easy", time="<10 mins", topics="",
                    judged=True, upvotes=0, saves=0, solves=0)
        s.add(kata)
        s.flush()
        return kata.id


def queue(db, kata_id: int, owner: Owner, source: object = "x = 1", rules: FairUse | None = None,
          mode: str = "submit") -> str:
    with db.session() as s:
        return submissions.create(s, owner, s.get(Kata, kata_id), mode, source, rules or FairUse())


def test_the_migration_adds_the_tables_and_takes_them_away(database_url):
    database = Database(database_url)
    database.migrate()
    assert set(inspect(database.engine).get_table_names()) >= NEW_TABLES
    database.downgrade("0001")
    names = set(inspect(database.engine).get_table_names())
    assert not NEW_TABLES & names and {"users", "katas"} <= names
    database.migrate()
    assert set(inspect(database.engine).get_table_names()) >= NEW_TABLES
    database.close()


def test_only_one_claim_wins_and_the_verdict_is_written_once(db, kata_id):
    sid = queue(db, kata_id, Owner.visitor("a" * 20, "1.2.3.4"))
    with db.session() as s:
        assert submissions.claim(s, sid) is not None
    with db.session() as s:
        assert submissions.claim(s, sid) is None  # a second grader gets nothing
        assert json.loads(submissions.finish(s, sid, PASSED, "<p>ok</p>")) == PASSED  # the JSON it stored
    with db.session() as s:
        assert submissions.finish(s, sid, {**PASSED, "status": "failed"}, "") is None
        row = s.get(Submission, sid)
        assert (row.state, row.status, row.attempts, json.loads(row.verdict)) == ("done", "passed", 1, PASSED)
        assert submissions.claim(s, sid) is None  # done is never graded again
        assert submissions.requeue_abandoned(s) == 0


def test_a_dead_graders_claims_go_back_to_the_queue_in_order(db, kata_id):
    first = queue(db, kata_id, Owner.visitor("a" * 20))
    second = queue(db, kata_id, Owner.visitor("b" * 20))
    with db.session() as s:
        submissions.claim(s, first)
    with db.session() as s:
        assert submissions.requeue_abandoned(s) == 1
        assert submissions.queued_ids(s) == [first, second]


def test_a_passed_submit_completes_the_kata_for_a_signed_in_learner(db, kata_id):
    with db.session() as s:
        user = User(username="ada", username_key="ada", password_hash="x")
        s.add(user)
        s.flush()
        owner = Owner.user(user.id)
    run = queue(db, kata_id, owner, mode="run")
    for sid in (run,):
        with db.session() as s:
            submissions.claim(s, sid)
            submissions.finish(s, sid, PASSED, "")
    with db.session() as s:
        assert s.scalars(select(Action)).all() == []  # a passing run of the example is no solve
        assert practice.progress(s, owner) == {"solved": [], "attempted": ["k"]}
    sid = queue(db, kata_id, owner)
    with db.session() as s:
        submissions.claim(s, sid)
        submissions.finish(s, sid, PASSED, "")
    with db.session() as s:
        assert [a.kind for a in s.scalars(select(Action))] == ["complete"] and s.get(Kata, kata_id).solves == 1
        assert practice.progress(s, owner) == {"solved": ["k"], "attempted": []}
    with db.session() as s:  # the account goes: so do its submissions
        s.delete(s.get(User, owner.user_id))
    with db.session() as s:
        assert s.scalars(select(Submission)).all() == []


def test_fair_use_is_counted_per_owner_per_address_and_in_all(db, kata_id):
    rules = FairUse(per_minute=2, queue_max=3)
    ada = Owner.visitor("a" * 20, "10.0.0.1")
    queue(db, kata_id, ada, rules=rules)
    with pytest.raises(SubmissionRefused, match="still being graded") as busy:
        queue(db, kata_id, ada, rules=rules)
    assert busy.value.status == 429
    # a fresh cookie from the same address: the address's limit still holds
    queue(db, kata_id, Owner.visitor("b" * 20, "10.0.0.1"), rules=rules)
    with pytest.raises(SubmissionRefused, match="2 submissions a minute") as limited:
        queue(db, kata_id, Owner.visitor("c" * 20, "10.0.0.1"), rules=rules)
    assert limited.value.status == 429 and 0 < limited.value.retry_after <= 61
    queue(db, kata_id, Owner.visitor("d" * 20, "10.0.0.2"), rules=rules)
    with pytest.raises(SubmissionRefused, match="queue is full") as full:
        queue(db, kata_id, Owner.visitor("e" * 20, "10.0.0.3"), rules=rules)
    assert full.value.status == 503 and full.value.retry_after == rules.queue_full_retry_s


def submit_at_once(url: str, kata_id: int, owners: list[Owner], rules: FairUse) -> list[str]:
    """Every owner submits at the same instant, each through its own engine (as separate web
    processes do); returns what each got: "queued", or the refusal's status."""
    outcomes = [""] * len(owners)
    start = threading.Barrier(len(owners))

    def submit(n: int) -> None:
        process = Database(url)
        try:
            start.wait()
            queue(process, kata_id, owners[n], rules=rules)
            outcomes[n] = "queued"
        except SubmissionRefused as exc:
            outcomes[n] = str(exc.status)
        finally:
            process.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(len(owners))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_fair_use_holds_when_many_processes_submit_at_once(db, database_url, kata_id):
    roomy = FairUse(per_minute=100, queue_max=100)
    one_owner = [Owner.visitor("same" * 5, "10.0.0.1")] * 8
    assert sorted(submit_at_once(database_url, kata_id, one_owner, roomy)) == ["429"] * 7 + ["queued"]

    one_address = [Owner.visitor(f"{n:020d}", "10.0.0.2") for n in range(8)]
    per_minute = submit_at_once(database_url, kata_id, one_address, FairUse(per_minute=3, queue_max=100))
    assert sorted(per_minute) == ["429"] * 5 + ["queued"] * 3

    everyone = [Owner.visitor(f"e{n:019d}", f"10.1.0.{n}") for n in range(8)]
    with db.session() as s:
        waiting = s.scalar(select(func.count()).select_from(Submission).where(Submission.state == "queued"))
    assert waiting == 4
    bounded = submit_at_once(database_url, kata_id, everyone, FairUse(per_minute=100, queue_max=7))
    assert sorted(bounded) == ["503"] * 5 + ["queued"] * 3
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 7


@pytest.mark.parametrize("source, status, words", [
    ("é" * (32 * 1024) + "x", 413, "65,537 bytes"),  # bytes, not characters, are counted
    ("", 422, "empty"),
    ("a\x00b", 422, "null byte"),
    (b"x = 1", 422, "not bytes"),
])
def test_a_source_that_cannot_be_graded_is_refused_before_it_is_stored(db, kata_id, source, status, words):
    with pytest.raises(StoreError, match=words) as refused:
        queue(db, kata_id, Owner.visitor("a" * 20), source=source)
    assert refused.value.status == status and refused.value.field == "source"
    with db.session() as s:
        assert s.scalars(select(Submission)).all() == []


def test_hints_stop_at_the_last_and_giving_up_is_kept(db, kata_id):
    owner = Owner.visitor("a" * 20)
    with db.session() as s:
        kata = s.get(Kata, kata_id)
        assert [practice.reveal_hint(s, owner, kata, 2) for _ in range(3)] == [1, 2, 2]
        practice.give_up(s, owner, kata)
        first = practice.progress_row(s, owner, kata).gave_up_at
        practice.give_up(s, owner, kata)
        assert practice.progress_row(s, owner, kata).gave_up_at == first
        with pytest.raises(StoreError, match="no hints"):
            practice.reveal_hint(s, owner, kata, 0)


def test_the_api_view_read_lean_is_the_dict_view(db, kata_id):
    sid = queue(db, kata_id, Owner.visitor("v" * 20))
    with db.session() as s:
        body, state = submissions.api_view(s, sid)
        assert state == "queued" and json.loads(body) == submissions.as_dict(s.get(Submission, sid))
    with db.session() as s:
        submissions.claim(s, sid)
        submissions.finish(s, sid, PASSED, "<p>passed</p>")
    with db.session() as s:
        body, state = submissions.api_view(s, sid)
        assert state == "done" and json.loads(body) == {"id": sid, "state": "done", "verdict": PASSED}
