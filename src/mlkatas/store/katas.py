"""The catalogue's queries: filtered, searched, sorted pages of katas, and autocomplete.

Every view of the catalogue is a KataQuery, the same for the pages and the API, so every view has
a URL to share. Counts live on the kata rows (models), so a page is one indexed query and a count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, false, func, select
from sqlalchemy.orm import Session

from mlkatas.store.models import DIFFICULTIES, TIMES, Action, Kata, KataTopic, utcnow
from mlkatas.store.search import matching

PER_PAGE = 25
SORTS = ("newest", "upvotes", "saves")
CREATED = ("today", "this_week", "this_month", "this_year")
MAX_PAGE = 10_000


class QueryError(ValueError):
    """A filter value the catalogue does not know; names the parameter and what it accepts."""

    def __init__(self, field: str, value: str, accepted: tuple[str, ...]):
        self.field = field
        super().__init__(f"{field}={value!r} is not one of: {', '.join(accepted)}")


@dataclass(frozen=True)
class KataQuery:
    q: str = ""
    topic: str | None = None
    difficulty: str | None = None
    time: str | None = None
    created: str | None = None  # today | this_week | this_month | this_year
    sort: str = "newest"
    page: int = 1

    def checked(self) -> KataQuery:
        """This query, or QueryError naming the first value that is not allowed."""
        for name, value, accepted in (("difficulty", self.difficulty, DIFFICULTIES), ("time", self.time, TIMES),
                                      ("created", self.created, CREATED), ("sort", self.sort, SORTS)):
            if value is not None and value not in accepted:
                raise QueryError(name, value, accepted)
        if not 1 <= self.page <= MAX_PAGE:
            raise QueryError("page", str(self.page), ("1", "...", str(MAX_PAGE)))
        return self


@dataclass(frozen=True)
class KataRow:
    slug: str
    title: str
    difficulty: str
    time: str
    topics: list[str]
    created_at: dt.datetime
    judged: bool
    upvotes: int
    saves: int
    solves: int
    excerpt: str  # the start of the description (Markdown source)


@dataclass(frozen=True)
class KataPage:
    items: list[KataRow]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def created_since(created: str, now: dt.datetime) -> dt.datetime:
    """The start of today, this week (Monday), this month or this year, in UTC."""
    day = dt.datetime(now.year, now.month, now.day)
    if created == "today":
        return day
    if created == "this_week":
        return day - dt.timedelta(days=now.weekday())
    if created == "this_month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def list_katas(session: Session, query: KataQuery, user_id: int | None = None,
               now: dt.datetime | None = None) -> KataPage:
    """One page of the catalogue. For a signed-in user, katas they completed sink to the end."""
    query = query.checked()
    conditions = []
    if query.topic:
        # a null character matches no topic (and PostgreSQL refuses it in text): the filter keeps nothing
        conditions.append(false() if "\x00" in query.topic else
                          Kata.id.in_(select(KataTopic.kata_id).where(KataTopic.topic == query.topic)))
    if query.difficulty:
        conditions.append(Kata.difficulty == query.difficulty)
    if query.time:
        conditions.append(Kata.time == query.time)
    if query.created:
        conditions.append(Kata.created_at >= created_since(query.created, now or utcnow()))
    found = matching(session.get_bind().dialect.name, query.q)
    if found is not None:
        conditions.append(found)
    where = and_(True, *conditions)
    total = session.scalar(select(func.count()).select_from(Kata).where(where)) or 0
    order = []
    if user_id is not None:
        completed = exists().where(Action.user_id == user_id, Action.kata_id == Kata.id, Action.kind == "complete")
        order.append(completed.asc())
    if query.sort == "upvotes":
        order.append(Kata.upvotes.desc())
    elif query.sort == "saves":
        order.append(Kata.saves.desc())
    order += [Kata.created_at.desc(), Kata.id.desc()]
    # the page's ids first: the offset walks an index (ix_katas_created, ...) rather than whole rows,
    # so page 30 costs what page 1 does; then the 25 rows themselves
    page_ids = select(Kata.id).where(where).order_by(*order).offset((query.page - 1) * PER_PAGE).limit(PER_PAGE)
    rows = session.scalars(select(Kata).where(Kata.id.in_(page_ids)).order_by(*order)).all()
    return KataPage([_row(k) for k in rows], total, query.page)


def _row(kata: Kata) -> KataRow:
    return KataRow(kata.slug, kata.title, kata.difficulty, kata.time, kata.topic_list, kata.created_at, kata.judged,
                   kata.upvotes, kata.saves, kata.solves, kata.description[:400])


def autocomplete(session: Session, prefix: str, limit: int = 8) -> dict[str, list[str]]:
    """Titles and topics that start with (or contain a word starting with) what was typed."""
    dialect = session.get_bind().dialect.name
    found = matching(dialect, prefix, column="title")
    titles = [] if found is None else list(session.scalars(
        select(Kata.title).where(found).order_by(Kata.upvotes.desc(), Kata.created_at.desc()).limit(limit)
    ))
    stem = without_nul(prefix).strip().lower()
    escaped = stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    topics = [] if not stem else list(session.scalars(
        select(KataTopic.topic).where(func.lower(KataTopic.topic).like(f"{escaped}%", escape="\\"))
        .group_by(KataTopic.topic).order_by(func.count().desc(), KataTopic.topic).limit(limit)
    ))
    return {"titles": titles, "topics": topics}


def get_kata(session: Session, slug: str) -> Kata | None:
    if "\x00" in slug:  # no slug holds one, and PostgreSQL refuses it in a query
        return None
    return session.scalar(select(Kata).where(Kata.slug == slug))


def without_nul(text: str) -> str:
    """Text for a query: PostgreSQL refuses null characters in text values, SQLite would never match them."""
    return text.replace("\x00", "")
