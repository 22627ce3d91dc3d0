"""A learner's practice on a kata beside their submissions: hints revealed, giving up, drafts,
and their progress (`mlkatas progress --json`'s shape)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from mlkatas.store.errors import StoreError
from mlkatas.store.models import Action, Draft, Kata, KataProgress, Submission, utcnow
from mlkatas.store.submissions import Owner, checked_source


def progress_row(db: Session, owner: Owner, kata: Kata) -> KataProgress | None:
    return db.get(KataProgress, (owner.key, kata.id))


def _progress_for_change(db: Session, owner: Owner, kata: Kata) -> KataProgress:
    row = progress_row(db, owner, kata)
    if row is None:
        row = KataProgress(owner=owner.key, kata_id=kata.id, user_id=owner.user_id, hints=0)
        db.add(row)
    return row


def reveal_hint(db: Session, owner: Owner, kata: Kata, available: int) -> int:
    """One more hint tier revealed (never past the last); returns how many are revealed now."""
    if available == 0:
        raise StoreError("hint", f"{kata.slug!r} has no hints", status=404)
    row = _progress_for_change(db, owner, kata)
    row.hints = min(row.hints + 1, available)
    return row.hints


def give_up(db: Session, owner: Owner, kata: Kata) -> None:
    """Record that the learner gave up (the first time counts); the solution is theirs to read."""
    row = _progress_for_change(db, owner, kata)
    row.gave_up_at = row.gave_up_at or utcnow()


def has_passed(db: Session, owner: Owner, kata: Kata) -> bool:
    """A submission of theirs passed the whole suite (a run of the example is not a pass)."""
    return bool(db.scalar(select(exists().where(Submission.owner == owner.key, Submission.kata_id == kata.id,
                                                Submission.mode == "submit", Submission.status == "passed"))))


def history(db: Session, owner: Owner, kata: Kata, limit: int = 50) -> list[Submission]:
    """Their submissions of the whole suite on this kata, newest first."""
    return list(db.scalars(select(Submission).where(Submission.owner == owner.key, Submission.kata_id == kata.id,
                                                    Submission.mode == "submit")
                           .order_by(Submission.created_at.desc()).limit(limit)))


def progress(db: Session, owner: Owner) -> dict:
    """{"solved": [slugs], "attempted": [slugs]}: solved by the judge, or submitted and not solved
    yet; in catalogue order."""
    passed = select(Submission.kata_id).where(Submission.owner == owner.key, Submission.mode == "submit",
                                              Submission.status == "passed")
    solved_ids = passed
    if owner.user_id is not None:
        completed = select(Action.kata_id).where(Action.user_id == owner.user_id, Action.kind == "complete")
        solved_ids = passed.union(completed)  # type: ignore[assignment]
    solved = list(db.scalars(select(Kata.slug).where(Kata.judged, Kata.id.in_(solved_ids)).order_by(Kata.id)))
    tried = select(Submission.kata_id).where(Submission.owner == owner.key)
    attempted = list(db.scalars(select(Kata.slug).where(Kata.id.in_(tried), Kata.id.not_in(solved_ids))
                                .order_by(Kata.id)))
    return {"solved": solved, "attempted": attempted}


def draft(db: Session, user_id: int, kata: Kata) -> str | None:
    row = db.get(Draft, (user_id, kata.id))
    return row.source if row is not None else None


def save_draft(db: Session, user_id: int, kata: Kata, source: object) -> None:
    """Keep what the editor holds (an empty draft removes it: the starter comes back)."""
    row = db.get(Draft, (user_id, kata.id))
    if isinstance(source, str) and not source.strip():
        if row is not None:
            db.delete(row)
        return
    text = checked_source(source)
    if row is None:
        db.add(Draft(user_id=user_id, kata_id=kata.id, source=text))
    else:
        row.source = text
