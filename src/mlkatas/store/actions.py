"""What a signed-in person does with a kata: upvote, save, complete, and a private note. Each
change moves the kata's count in the same transaction, so counts never drift from the actions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mlkatas.store.errors import StoreError
from mlkatas.store.models import ACTIONS, NOTE_MAX, Action, Kata, Note

COUNT_OF = {"upvote": Kata.upvotes, "save": Kata.saves, "complete": Kata.solves}


class ActionError(StoreError):
    """An action or note that cannot be recorded."""


@dataclass(frozen=True)
class KataState:
    """A person's state on a kata, and the kata's counts."""

    upvoted: bool
    saved: bool
    completed: bool
    note: str
    upvotes: int
    saves: int
    solves: int


def state(db: Session, user_id: int | None, kata: Kata) -> KataState:
    kinds: set[str] = set()
    note = ""
    if user_id is not None:
        kinds = set(db.scalars(select(Action.kind).where(Action.user_id == user_id, Action.kata_id == kata.id)))
        note = db.scalar(select(Note.text).where(Note.user_id == user_id, Note.kata_id == kata.id)) or ""
    return KataState("upvote" in kinds, "save" in kinds, "complete" in kinds, note, kata.upvotes, kata.saves,
                     kata.solves)


def set_action(db: Session, user_id: int, kata: Kata, kind: str, on: bool, *, by_judge: bool = False) -> None:
    """Turn an action on or off (idempotent). A judged kata is completed by passing its tests
    (`by_judge`), never by hand."""
    if kind not in ACTIONS:
        raise ActionError("action", f"{kind!r} is not one of: {', '.join(ACTIONS)}", status=404)
    if kind == "complete" and kata.judged and not by_judge:
        raise ActionError("complete", "a judged kata is completed by passing its tests", status=409)
    existing = db.get(Action, (user_id, kata.id, kind))
    if on and existing is None:
        db.add(Action(user_id=user_id, kata_id=kata.id, kind=kind))
        step = 1
    elif not on and existing is not None:
        db.delete(existing)
        step = -1
    else:
        return
    column = COUNT_OF[kind]
    db.execute(update(Kata).where(Kata.id == kata.id).values({column: column + step}))
    db.refresh(kata, [column.key])  # the count as stored, with every other visitor's changes


def set_note(db: Session, user_id: int, kata: Kata, text: str) -> None:
    """Write (or, when empty, remove) a note of at most NOTE_MAX characters."""
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise ActionError("text", f"a note has at most {NOTE_MAX} characters; this one has {len(text)}", status=422)
    if "\x00" in text:
        raise ActionError("text", "a note cannot hold a null character", status=422)
    note = db.get(Note, (user_id, kata.id))
    if not text:
        if note is not None:
            db.delete(note)
    elif note is None:
        db.add(Note(user_id=user_id, kata_id=kata.id, text=text))
    else:
        note.text = text


def withdraw_all(db: Session, user_id: int) -> None:
    """Take back every action of a person (their account is going): each count they added drops."""
    for kind, column in COUNT_OF.items():
        theirs = select(Action.kata_id).where(Action.user_id == user_id, Action.kind == kind)
        db.execute(update(Kata).where(Kata.id.in_(theirs)).values({column: column - 1}))
