"""Community katas: prose katas people write in a form or upload in bulk (mlkatas.com's kata
schema: title, content, difficulty, time, topics). Every item is checked before anything is
stored; a bulk upload is all or nothing, and each rejected item is named by index and field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlkatas.catalog.kata import DIFFICULTIES, MAX_TOPIC_LEN, MAX_TOPICS, TIMES
from mlkatas.store.models import TITLE_MAX, Kata, KataTopic

CONTENT_MAX = 20_000
BULK_MAX = 200  # katas per upload
FIELDS = ("title", "content", "difficulty", "time", "topics")
# what an export adds, ignored on upload
EXPORT_ONLY = {"id", "slug", "stats", "author", "created_at", "judged", "upvoted", "saved", "completed", "note"}


@dataclass(frozen=True)
class Problem:
    index: int | None  # the item of a bulk upload, None for a single kata
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}


class KataRejected(ValueError):
    def __init__(self, problems: list[Problem], status: int = 422):
        self.problems, self.status = problems, status
        first = problems[0]
        where = f"item {first.index}: " if first.index is not None else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{where}{first.field}: {first.message}{more}")


def _text(value: Any, field: str, limit: int, index: int | None, problems: list[Problem]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(index, field, "is required (text)"))
        return ""
    if "\x00" in value:
        problems.append(Problem(index, field, "holds a null character"))
    if len(value) > limit:
        problems.append(Problem(index, field, f"has {len(value)} characters; at most {limit}"))
    return value.strip()


def check_item(item: Any, index: int | None = None) -> tuple[dict, list[Problem]]:
    """The item's clean fields, and what is wrong with it (empty when nothing)."""
    problems: list[Problem] = []
    if not isinstance(item, dict):
        return {}, [Problem(index, "item", "must be an object with " + ", ".join(FIELDS))]
    clean = {
        "title": _text(item.get("title"), "title", TITLE_MAX, index, problems),
        "content": _text(item.get("content"), "content", CONTENT_MAX, index, problems),
    }
    for field, accepted in (("difficulty", DIFFICULTIES), ("time", TIMES)):
        value = item.get(field)
        if value not in accepted:
            problems.append(Problem(index, field, f"{value!r} is not one of: {', '.join(accepted)}"))
        clean[field] = value
    topics = item.get("topics", [])
    if (not isinstance(topics, list) or not 1 <= len(topics) <= MAX_TOPICS
            or not all(isinstance(t, str) and 0 < len(t.strip()) <= MAX_TOPIC_LEN and "\x00" not in t for t in topics)):
        problems.append(Problem(index, "topics", f"1 to {MAX_TOPICS} topics, each 1 to {MAX_TOPIC_LEN} characters"))
        topics = []
    clean["topics"] = list(dict.fromkeys(t.strip() for t in topics))
    unknown = set(item) - set(FIELDS) - EXPORT_ONLY  # an exported kata uploads as it is
    if unknown:
        problems.append(Problem(index, sorted(unknown)[0], "is not a field of a kata (" + ", ".join(FIELDS) + ")"))
    return clean, problems


def slug_for(db: Session, title: str) -> str:
    base = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", base).strip("-")[:80] or "kata"
    slug, n = base, 1
    while db.scalar(select(Kata.id).where(Kata.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_katas(db: Session, author_id: int, items: list[Any], bulk: bool) -> list[Kata]:
    """Check every item (and that no title is taken, here or earlier in the upload), then store
    them all; KataRejected names each problem and stores nothing."""
    if bulk and not isinstance(items, list):
        raise KataRejected([Problem(None, "upload", "must be a JSON list of katas")])
    if bulk and not 1 <= len(items) <= BULK_MAX:
        raise KataRejected([Problem(None, "upload", f"holds {len(items)} katas; 1 to {BULK_MAX} at once")])
    problems: list[Problem] = []
    cleaned: list[dict] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        clean, found = check_item(item, index if bulk else None)
        problems += found
        # a title already rejected (too long, a null character) is not looked up
        key = "" if any(p.field == "title" for p in found) else clean.get("title", "").lower()
        if key and (key in seen or db.scalar(select(Kata.id).where(func.lower(Kata.title) == key)) is not None):
            problems.append(Problem(index if bulk else None, "title", f"a kata titled {clean['title']!r} exists"))
        seen.add(key)
        cleaned.append(clean)
    if problems:
        raise KataRejected(problems, status=409 if all(p.message.endswith("exists") for p in problems) else 422)
    made = []
    for clean in cleaned:
        kata = Kata(slug=slug_for(db, clean["title"]), title=clean["title"], description=clean["content"],
                    difficulty=clean["difficulty"], time=clean["time"], topics="\n".join(clean["topics"]),
                    judged=False, author_id=author_id, upvotes=0, saves=0, solves=0)
        kata.topic_rows = [KataTopic(topic=t) for t in clean["topics"]]
        db.add(kata)
        db.flush()  # the next slug sees this one
        made.append(kata)
    return made


def delete_kata(db: Session, user_id: int, kata: Kata) -> None:
    """Only its author deletes a kata (built-in katas have none)."""
    if kata.author_id != user_id:
        raise KataRejected([Problem(None, "kata", "only its author can delete a kata")], status=403)
    db.delete(kata)
