"""The built-in katas in the store: each judged kata of the catalogue becomes (or updates) a row,
keyed by slug, so the site lists them beside community katas. What people did with them (counts,
actions, notes) is never touched."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlkatas.catalog import Catalog
from mlkatas.store.models import Kata, KataTopic, utcnow


def sync_catalog(session: Session, catalog: Catalog) -> int:
    """Insert or update every kata of the catalogue; returns how many rows changed."""
    existing = {k.slug: k for k in session.scalars(select(Kata).where(Kata.slug.in_(list(catalog.katas))))}
    changed = 0
    for kata in catalog:
        created = dt.datetime.combine(kata.created, dt.time()) if kata.created else None
        fields = {
            "title": kata.title, "description": kata.description, "difficulty": kata.difficulty, "time": kata.time,
            "topics": "\n".join(kata.topics), "judged": True, "pack": kata.pack,
        }
        row = existing.get(kata.slug)
        if row is None:
            row = Kata(slug=kata.slug, created_at=created or utcnow(), upvotes=0, saves=0, solves=0, **fields)
            row.topic_rows = [KataTopic(topic=t) for t in kata.topics]
            session.add(row)
        elif all(getattr(row, name) == value for name, value in fields.items()):
            continue
        else:
            if row.topics != fields["topics"]:
                row.topic_rows.clear()
                session.flush()  # the old topics go before the new ones arrive (same primary keys)
                row.topic_rows.extend(KataTopic(topic=t) for t in kata.topics)
            for name, value in fields.items():
                setattr(row, name, value)
            row.rendered_html = row.rendered_key = None  # the description may have changed: render again
        changed += 1
    return changed
