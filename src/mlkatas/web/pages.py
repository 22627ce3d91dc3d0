"""The HTML pages: the catalogue (filters, search, sort, pages, each view a URL) and a kata."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote_plus

from fastapi import APIRouter, Request
from sqlalchemy import select

from mlkatas.store.actions import state
from mlkatas.store.katas import CREATED, SORTS, KataQuery, get_kata, list_katas
from mlkatas.store.models import DIFFICULTIES, TIMES, KataTopic, utcnow
from mlkatas.web.app import templates
from mlkatas.web.auth import CurrentUser
from mlkatas.web.deps import DbSession
from mlkatas.web.practice_view import practice_context
from mlkatas.web.rows import RowView, row_html
from mlkatas.web.views import description_html, page_window, relative_date, summary

router = APIRouter(include_in_schema=False)
_quoted = lru_cache(maxsize=4096)(quote_plus)  # as urlencode quotes a value
CREATED_LABELS = {"today": "Today", "this_week": "This week", "this_month": "This month", "this_year": "This year"}


@router.get("/")
async def catalogue(request: Request, db: DbSession, me: CurrentUser, q: str = "", topic: str | None = None,
              difficulty: str | None = None, time: str | None = None, created: str | None = None,
              sort: str = "newest", page: int = 1):
    query = KataQuery(q[:2000], topic or None, difficulty or None, time or None, created or None, sort, page)
    found = list_katas(db, query, user_id=me.id if me else None)  # my completed katas sink to the end
    now = utcnow()
    params = {k: v for k, v in (("q", query.q), ("topic", query.topic), ("difficulty", query.difficulty),
                                ("time", query.time), ("created", query.created), ("sort", query.sort)) if v}
    if params.get("sort") == "newest":
        del params["sort"]

    def link(**change) -> str:
        """This view with some parameters changed (None removes one); back to page 1."""
        merged = {**params, **change}
        # a page has ~170 links: each value quoted once per process, not urlencoded per link
        return "/?" + "&".join(f"{k}={_quoted(str(v))}" for k, v in merged.items() if v is not None) if merged else "/"

    topics = db.scalars(select(KataTopic.topic).group_by(KataTopic.topic).order_by(KataTopic.topic)).all()
    topic_links = {t: link(topic=t) for t in topics}  # each row's topic chips reuse these
    rows = [RowView(r.slug, r.title, r.difficulty, r.time, relative_date(r.created_at, now), r.judged, r.upvotes,
                    r.saves, r.solves, summary(r), tuple((t, topic_links.get(t) or link(topic=t)) for t in r.topics))
            for r in found.items]
    return templates.TemplateResponse(request, "catalogue.html", {
        "rows": rows, "row_html": row_html, "found": found, "query": query, "link": link, "topics": topics,
        "topic_links": topic_links,
        "page_numbers": page_window(found.page, found.pages),
        "difficulties": DIFFICULTIES, "times": TIMES, "created_options": CREATED, "created_labels": CREATED_LABELS,
        "sorts": SORTS, "me": me,
    })


@router.get("/katas/{slug}")
async def kata_page(request: Request, slug: str, db: DbSession, me: CurrentUser):
    kata = get_kata(db, slug)
    if kata is None:
        return templates.TemplateResponse(request, "error.html", {
            "title": "No such kata", "message": f"There is no kata named “{slug}”.", "me": me,
        }, status_code=404)
    return templates.TemplateResponse(request, "kata.html", {
        "kata": kata, "html": description_html(db, kata), "when": relative_date(kata.created_at, utcnow()),
        "me": me, "state": state(db, me.id if me else None, kata), "practice": practice_context(db, request, me, kata),
    })
