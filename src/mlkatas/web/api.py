"""The JSON API under /api: the catalogue's data for scripts and the CLI (OpenAPI at /api/docs)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from mlkatas.store.katas import PER_PAGE, KataQuery, autocomplete, get_kata, list_katas
from mlkatas.web.deps import DbSession
from mlkatas.web.views import detail, listing

router = APIRouter(prefix="/api", tags=["katas"])


@router.get("/katas")
async def katas(db: DbSession, q: str = "", topic: str | None = None, difficulty: str | None = None,
          time: str | None = None, created: str | None = None, sort: str = "newest", page: int = 1) -> dict:
    """The catalogue: filters, search and sort as query parameters, 25 katas a page."""
    found = list_katas(db, KataQuery(q[:2000], topic, difficulty, time, created, sort, page))
    return {"items": [listing(r) for r in found.items], "total": found.total, "page": found.page,
            "per_page": PER_PAGE}


@router.get("/katas/{slug}")
async def kata(slug: str, db: DbSession):
    found = get_kata(db, slug)
    if found is None:
        return JSONResponse({"error": f"no kata named {slug!r}"}, status_code=404)
    return detail(found)


@router.get("/autocomplete")
async def complete(db: DbSession, q: str = "") -> dict:
    """Titles and topics for what has been typed so far."""
    return autocomplete(db, q[:200])
