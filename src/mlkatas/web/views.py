"""Katas as the pages and the API show them: plain dicts, the same fields in both."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mlkatas.store.katas import KataRow
from mlkatas.store.models import Kata
from mlkatas.web.markdown import excerpt, render, render_key


def listing(row: KataRow) -> dict:
    """A row of the catalogue (and an item of GET /api/katas)."""
    return {
        "slug": row.slug, "title": row.title, "difficulty": row.difficulty, "time": row.time, "topics": row.topics,
        "created_at": row.created_at.isoformat(), "judged": row.judged,
        "upvotes": row.upvotes, "saves": row.saves, "solves": row.solves,
    }


def summary(row: KataRow) -> str:
    return excerpt(row.excerpt)


def description_html(session: Session, kata: Kata) -> str:
    """The rendered description, rendered once per version of the text and kept with the kata."""
    key = render_key(kata.description)
    if kata.rendered_key != key or kata.rendered_html is None:
        kata.rendered_html, kata.rendered_key = render(kata.description), key
        session.flush()
    return kata.rendered_html


def detail(kata: Kata) -> dict:
    return {
        "slug": kata.slug, "title": kata.title, "description": kata.description, "difficulty": kata.difficulty,
        "time": kata.time, "topics": kata.topic_list, "created_at": kata.created_at.isoformat(),
        "judged": kata.judged, "author": kata.author.username if kata.author else None,
        "upvotes": kata.upvotes, "saves": kata.saves, "solves": kata.solves,
    }


def relative_date(when: dt.datetime, now: dt.datetime) -> str:
    """"today", "3 days ago", "2 months ago"..."""
    days = (now.date() - when.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 31:
        return f"{days} days ago"
    if days < 365:
        months = days // 30
        return f"{months} month{'s' if months > 1 else ''} ago"
    years = days // 365
    return f"{years} year{'s' if years > 1 else ''} ago"


def kata_state(found) -> dict:
    """A person's state on a kata and its counts (store.actions.KataState), as the API shows it."""
    return {"upvoted": found.upvoted, "saved": found.saved, "completed": found.completed, "note": found.note,
            "upvotes": found.upvotes, "saves": found.saves, "solves": found.solves}


def export_fields(kata: Kata) -> dict:
    """mlkatas.com's export fields (what its bulk upload takes back, plus id, stats, author, date)."""
    return {
        "id": kata.id, "slug": kata.slug, "title": kata.title, "content": kata.description,
        "difficulty": kata.difficulty, "time": kata.time, "topics": kata.topic_list,
        "stats": {"upvotes": kata.upvotes, "saves": kata.saves, "solves": kata.solves},
        "author": kata.author.username if kata.author else None, "created_at": kata.created_at.isoformat(),
        "judged": kata.judged,
    }


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: the first, the last, and `around` on each side of the current
    one; None where numbers are left out (shown as an ellipsis). 1 … 4 5 [6] 7 8 … 40."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    window: list[int | None] = []
    for n in shown:
        if window and n - (window[-1] or 0) > 1:
            window.append(None if n - (window[-1] or 0) > 2 else n - 1)  # a gap of one number shows the number
        window.append(n)
    return window
