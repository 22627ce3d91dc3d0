"""The search box's suggestions as you type: a small HTML fragment (titles and topics) that htmx
puts under the box; static/autocomplete.js makes it a keyboard-accessible combobox."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from mlkatas.store.katas import autocomplete
from mlkatas.store.models import Kata
from mlkatas.web.app import templates
from mlkatas.web.deps import DbSession

router = APIRouter(include_in_schema=False)


@router.get("/search/suggest")
async def suggest(request: Request, db: DbSession, q: str = ""):
    found = autocomplete(db, q[:200])  # the same cut as GET /api/autocomplete
    # a title suggestion opens its kata, so it needs the slug (titles are unique)
    slugs = dict(db.execute(select(Kata.title, Kata.slug).where(Kata.title.in_(found["titles"]))).tuples().all())
    katas = [(title, slugs[title]) for title in found["titles"] if title in slugs]
    return templates.TemplateResponse(request, "_suggest.html", {"katas": katas, "topics": found["topics"]})
