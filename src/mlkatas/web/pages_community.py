"""The pages of community katas: a form for one, a JSON file for many, delete for the author."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from mlkatas.catalog.kata import DIFFICULTIES, TIMES
from mlkatas.store.community import KataRejected, create_katas, delete_kata
from mlkatas.web.api_community import UPLOAD_MAX
from mlkatas.web.app import templates
from mlkatas.web.auth import Csrf, SignedIn
from mlkatas.web.deps import DbSession, kata_or_404

router = APIRouter(include_in_schema=False)


def _form_page(request: Request, me, status: int = 200, **context):
    defaults = {"problems": [], "values": {}, "difficulties": DIFFICULTIES, "times": TIMES, "me": me}
    return templates.TemplateResponse(request, "submit.html", {**defaults, **context}, status_code=status)


@router.get("/katas/new")
def new_page(request: Request, me: SignedIn):
    return _form_page(request, me)


@router.post("/katas/new", dependencies=[Csrf])
async def new(request: Request, me: SignedIn, db: DbSession):
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("title", "content", "difficulty", "time", "topics")}
    item = {**values, "topics": [t.strip() for t in values["topics"].split(",") if t.strip()]}
    try:
        [kata] = create_katas(db, me.id, [item], bulk=False)
    except KataRejected as exc:
        return _form_page(request, me, exc.status, problems=exc.problems, values=values)
    return RedirectResponse(f"/katas/{kata.slug}", status_code=303)


@router.post("/katas/upload", dependencies=[Csrf])
async def upload(request: Request, me: SignedIn, db: DbSession):
    form = await request.form()
    file = form.get("file")
    raw = await file.read(UPLOAD_MAX + 1) if hasattr(file, "read") else b""
    if len(raw) > UPLOAD_MAX:
        return _form_page(request, me, 413, upload_error=f"The file is larger than the limit of {UPLOAD_MAX:,} bytes.")
    try:
        items = json.loads(raw)
        made = create_katas(db, me.id, items, bulk=True)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _form_page(request, me, 422, upload_error=f"The file is not JSON: {exc}")
    except KataRejected as exc:
        return _form_page(request, me, exc.status, upload_problems=exc.problems)
    return _form_page(request, me, uploaded=[(k.slug, k.title) for k in made])


@router.post("/katas/{slug}/delete", dependencies=[Csrf])
def delete(slug: str, me: SignedIn, db: DbSession):
    kata = kata_or_404(db, slug)
    try:
        delete_kata(db, me.id, kata)
    except KataRejected as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return RedirectResponse("/", status_code=303)
