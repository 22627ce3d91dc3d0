"""Submissions as records: written `queued` (and committed) before anything grades them, claimed
by exactly one grader, finished with the verdict in one transaction. Fair use is counted here, in
the database, so that its limits hold across every web process of a machine."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from mlkatas.judge.source import SourceProblem, check_source
from mlkatas.store.actions import set_action
from mlkatas.store.errors import StoreError
from mlkatas.store.models import Kata, Submission, utcnow

SOURCE_MAX_BYTES = 64 * 1024
PER_MINUTE_ENV = "MLKATAS_SUBMIT_PER_MINUTE"
QUEUE_MAX_ENV = "MLKATAS_SUBMIT_QUEUE_MAX"


@dataclass(frozen=True)
class FairUse:
    """The limits a web process enforces before a submission is queued."""

    per_minute: int = 20  # submissions (runs included) per owner, or per address for anonymous visitors
    queue_max: int = 64  # queued submissions in all, every owner together
    queue_full_retry_s: int = 5

    @classmethod
    def from_env(cls) -> "FairUse":
        """The defaults, or $MLKATAS_SUBMIT_PER_MINUTE and $MLKATAS_SUBMIT_QUEUE_MAX (benchmarks
        and a site with many learners behind one address raise them)."""
        defaults = cls()
        return cls(int(os.environ.get(PER_MINUTE_ENV, defaults.per_minute)),
                   int(os.environ.get(QUEUE_MAX_ENV, defaults.queue_max)))


@dataclass(frozen=True)
class Owner:
    """Who submits: "u:ID" for an account, "v:KEY" for an anonymous visitor's cookie."""

    key: str
    user_id: int | None
    address: str = ""

    @classmethod
    def user(cls, user_id: int, address: str = "") -> "Owner":
        return cls(f"u:{user_id}", user_id, address)

    @classmethod
    def visitor(cls, visitor_key: str, address: str = "") -> "Owner":
        return cls(f"v:{visitor_key}", None, address)


class SubmissionRefused(StoreError):
    """A submission fair use turns away for now: `retry_after` seconds before trying again."""

    def __init__(self, field: str, message: str, status: int, retry_after: int):
        super().__init__(field, message, status)
        self.retry_after = retry_after


def checked_source(source: object) -> str:
    """The source as text, or StoreError naming what is wrong with it (413 for too large)."""
    if not isinstance(source, str):
        raise StoreError("source", f"source must be text, not {type(source).__name__}")
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > SOURCE_MAX_BYTES:
        raise StoreError("source", f"the source is {size:,} bytes; the limit is {SOURCE_MAX_BYTES:,} bytes (64 KB)",
                         status=413)
    if not source.strip():
        raise StoreError("source", "the source is empty: write your solution first")
    try:
        return check_source(source)
    except SourceProblem as exc:
        raise StoreError("source", str(exc)) from None


# any constant: every web process of the machine takes the same PostgreSQL advisory lock
_FAIR_USE_LOCK = 0x6D6C6B61  # "mlka"


def _serialize_fair_use(db: Session) -> None:
    """Hold the database's write lock until the caller commits, so that two web processes cannot
    both count, find room and insert: their checks and inserts happen one after the other."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FAIR_USE_LOCK})
        return
    driver = db.connection().connection.driver_connection
    if not driver.in_transaction:  # pysqlite opens no transaction for reads: take the write lock now
        db.execute(text("BEGIN IMMEDIATE"))
    # otherwise this session has written already, so SQLite's one writer is this session until commit


class KataRef(Protocol):
    """What a submission needs of its kata (a Kata, or a row of just these columns)."""

    id: int
    slug: str
    judged: bool


def kata_ref(db: Session, slug: str) -> KataRef:
    """The kata named `slug`, read lean (not its description and rendered page), for a
    submission; StoreError (404) when there is none."""
    found = db.execute(select(Kata.id, Kata.slug, Kata.judged).where(Kata.slug == slug)).first()
    if found is None:
        raise StoreError("slug", f"there is no kata named {slug!r}", status=404)
    return found


def create(db: Session, owner: Owner, kata: KataRef, mode: str, source: object, rules: FairUse = FairUse()) -> str:
    """A new queued submission, once the source and fair use allow it: its id. The caller commits
    it before telling a grader."""
    text = checked_source(source)
    if not kata.judged:
        raise StoreError("kata", f"{kata.slug!r} is a prose kata: nothing grades it")
    if mode not in ("run", "submit"):
        raise StoreError("mode", f"mode must be run or submit, not {mode!r}")
    _serialize_fair_use(db)
    now = utcnow()
    window = now - dt.timedelta(minutes=1)
    counted = Submission.owner == owner.key if owner.user_id is not None else Submission.address == owner.address
    in_window = (counted, Submission.created_at > window)
    # every count fair use needs, in one statement (this is on the path of every submission)
    mine_open, recent, oldest, queued = db.execute(select(
        select(func.count()).where(Submission.owner == owner.key, Submission.state != "done").scalar_subquery(),
        select(func.count()).where(*in_window).scalar_subquery(),
        select(func.min(Submission.created_at)).where(*in_window).scalar_subquery(),
        select(func.count()).where(Submission.state == "queued").scalar_subquery(),
    )).one()
    if mine_open:
        raise SubmissionRefused("source", "your previous submission is still being graded: wait for its verdict",
                                429, 1)
    if recent >= rules.per_minute:
        wait = (oldest - window).total_seconds()
        raise SubmissionRefused("source", f"at most {rules.per_minute} submissions a minute: try again in "
                                          f"{int(wait) + 1} s", 429, int(wait) + 1)
    if queued >= rules.queue_max:
        raise SubmissionRefused("source", f"the grading queue is full ({rules.queue_max} waiting): try again in "
                                          f"{rules.queue_full_retry_s} s", 503, rules.queue_full_retry_s)
    submission_id = secrets.token_urlsafe(16)
    # a Core insert: the ORM's unit of work costs more than the statement on the path of every submission
    db.execute(insert(Submission).values(id=submission_id, owner=owner.key, user_id=owner.user_id,
                                         address=owner.address, kata_id=kata.id, mode=mode, source=text,
                                         state="queued", created_at=now, attempts=0))
    return submission_id


def owned(db: Session, owner: Owner, submission_id: str) -> Submission:
    """The owner's submission, or 404 for any other: whether another's id exists is not told."""
    row = db.get(Submission, submission_id) if len(submission_id) <= 32 else None
    if row is None or row.owner != owner.key:
        raise StoreError("id", f"no submission of yours has the id {submission_id!r}", status=404)
    return row


def as_dict(row: Submission) -> dict:
    """The API's view: {"id", "state", "verdict"} (the verdict None until done)."""
    return {"id": row.id, "state": row.state, "verdict": json.loads(row.verdict) if row.verdict else None}


def api_view(db: Session, submission_id: str) -> tuple[str, str]:
    """(as_dict() of a submission as JSON text, its state), read with one lean query, the stored
    verdict spliced in as it is (no parse and re-encode of a 61-case verdict): what the API
    answers a submit with, right after the verdict is written."""
    found = db.execute(select(Submission.state, Submission.verdict).where(Submission.id == submission_id)).one()
    return api_json(submission_id, found.state, found.verdict), found.state


def api_json(submission_id: str, state: str, verdict: str | None) -> str:
    """The API's view of a submission as JSON text, from its stored verdict's JSON (or None)."""
    return f'{{"id": {json.dumps(submission_id)}, "state": {json.dumps(state)}, "verdict": {verdict or "null"}}}'


# -- the grader's side ------------------------------------------------------------------------
@dataclass(frozen=True)
class Claimed:
    """What a grader needs of a submission it took."""

    slug: str
    source: str
    mode: str


def claim(db: Session, submission_id: str, slugs: dict[int, str] | None = None) -> Claimed | None:
    """Take a queued submission to grade; None when another grader has it or it is done. One
    statement (UPDATE ... RETURNING): this is on the path of every verdict. `slugs`: the
    caller's kata id -> slug cache (a kata's slug never changes)."""
    taken = db.execute(update(Submission).where(Submission.id == submission_id, Submission.state == "queued")
                       .values(state="grading", attempts=Submission.attempts + 1)
                       .returning(Submission.kata_id, Submission.source, Submission.mode)).first()
    if taken is None:
        return None
    slugs = {} if slugs is None else slugs
    if taken.kata_id not in slugs:
        slug = db.scalar(select(Kata.slug).where(Kata.id == taken.kata_id))
        assert slug is not None  # a submission's kata goes only with the submission (ON DELETE CASCADE)
        slugs[taken.kata_id] = slug
    return Claimed(slugs[taken.kata_id], taken.source, taken.mode)


def finish(db: Session, submission_id: str, verdict: dict, verdict_html: str) -> str | None:
    """Write the verdict and mark the submission done; a passed submit of a signed-in learner
    completes the kata in the same transaction. The verdict's JSON as stored; None when it was not
    being graded."""
    text = json.dumps(verdict)  # one line: json.dumps escapes every newline inside strings
    written = db.execute(update(Submission).where(Submission.id == submission_id, Submission.state == "grading")
                         .values(state="done", graded_at=utcnow(), status=verdict["status"],
                                 summary=verdict["summary"], verdict=text, verdict_html=verdict_html,
                                 elapsed_ms=verdict["elapsed_ms"])
                         .returning(Submission.mode, Submission.user_id, Submission.kata_id)).first()
    if written is None:
        return None
    if written.mode == "submit" and verdict["status"] == "passed" and written.user_id is not None:
        kata = db.get(Kata, written.kata_id)
        assert kata is not None
        set_action(db, written.user_id, kata, "complete", True, by_judge=True)
    return text


def requeue_abandoned(db: Session) -> int:
    """Put back what a grader was grading when it died; returns how many."""
    return db.execute(update(Submission).where(Submission.state == "grading")
                      .values(state="queued")).rowcount  # type: ignore[attr-defined]


def queued_ids(db: Session, limit: int = 1000) -> list[str]:
    """Queued submissions, oldest first."""
    return list(db.scalars(select(Submission.id).where(Submission.state == "queued")
                           .order_by(Submission.created_at, Submission.id).limit(limit)))
