"""The API of community katas: submit one, upload many (all or nothing), delete your own."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from mlkatas.store.community import KataRejected, create_katas, delete_kata
from mlkatas.web.auth import Csrf, SignedIn
from mlkatas.web.deps import DbSession, kata_or_404

router = APIRouter(prefix="/api", tags=["community katas"])
UPLOAD_MAX = 1 << 20  # bytes of JSON in one request


async def json_body(request: Request) -> object:
    """The request's JSON, at most UPLOAD_MAX bytes (413 beyond, with the limit named; 422 when
    it is not JSON)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > UPLOAD_MAX:
        raise HTTPException(413, f"the upload is {int(declared):,} bytes; the limit is {UPLOAD_MAX:,} bytes (1 MiB)")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > UPLOAD_MAX:
            raise HTTPException(413, f"the upload is larger than the limit of {UPLOAD_MAX:,} bytes (1 MiB)")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HTTPException(422, f"the body is not JSON: {exc}") from None


def rejected(exc: KataRejected) -> JSONResponse:
    return JSONResponse({"error": str(exc), "errors": [p.as_dict() for p in exc.problems]}, status_code=exc.status)


@router.post("/katas", status_code=201, dependencies=[Csrf])
async def submit(request: Request, user: SignedIn, db: DbSession):
    try:
        [kata] = create_katas(db, user.id, [await json_body(request)], bulk=False)
    except KataRejected as exc:
        return rejected(exc)
    return {"slug": kata.slug}


@router.post("/katas/bulk", status_code=201, dependencies=[Csrf])
async def upload(request: Request, user: SignedIn, db: DbSession):
    items = await json_body(request)
    try:
        made = create_katas(db, user.id, items if isinstance(items, list) else items, bulk=True)  # type: ignore[arg-type]
    except KataRejected as exc:
        return rejected(exc)
    return {"slugs": [k.slug for k in made]}


@router.delete("/katas/{slug}", status_code=204, dependencies=[Csrf])
def delete(slug: str, user: SignedIn, db: DbSession):
    kata = kata_or_404(db, slug)
    try:
        delete_kata(db, user.id, kata)
    except KataRejected as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return JSONResponse(None, status_code=204)
