"""The practice API: run the example, submit, read a submission (owner only), progress, drafts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from mlkatas.store import practice
from mlkatas.store.errors import StoreError
from mlkatas.store.submissions import api_json, api_view, as_dict
from mlkatas.web import practice_flow
from mlkatas.web.auth import Csrf, CurrentUser, SignedIn
from mlkatas.web.deps import DbSession, kata_or_404
from mlkatas.web.visitor import keep_visitor, owner_of

router = APIRouter(prefix="/api", tags=["practice"])


def store_error(exc: StoreError) -> JSONResponse:
    retry = getattr(exc, "retry_after", None)
    return JSONResponse({"error": str(exc), "field": exc.field}, status_code=exc.status,
                        headers={"Retry-After": str(retry)} if retry else None)


async def _source(request: Request) -> object:
    try:
        body = await request.json()
    except ValueError:
        raise StoreError("body", 'send JSON: {"source": "..."}') from None
    if not isinstance(body, dict) or "source" not in body:
        raise StoreError("source", 'the body needs a "source" field holding your code')
    return body["source"]


async def _submit(request: Request, me, slug: str, mode: str, wait: float, status: int) -> JSONResponse:
    owner = owner_of(request, me, create=True)
    assert owner is not None
    try:
        submission_id, notice = await practice_flow.submit_id(request, owner, slug, mode, await _source(request),
                                                              wait)
    except StoreError as exc:
        return keep_visitor(request, store_error(exc))
    if notice.verdict is not None:  # the grader's notice carried the verdict it had just stored
        body, state = api_json(submission_id, "done", notice.verdict), "done"
    else:
        with request.app.state.db.session() as s:
            body, state = api_view(s, submission_id)
    if mode == "run" and state != "done":
        status = 202  # not graded within the wait: poll GET /api/submissions/ID
    return keep_visitor(request, Response(body, status_code=status, media_type="application/json"))


@router.post("/katas/{slug}/run", dependencies=[Csrf])
async def run_example(request: Request, slug: str, me: CurrentUser):
    """Grade the visible example only: {"id", "state", "verdict"}, waiting for the verdict."""
    return await _submit(request, me, slug, "run", practice_flow.RUN_WAIT_S, 200)


@router.post("/katas/{slug}/submissions", dependencies=[Csrf])
async def submit(request: Request, slug: str, me: CurrentUser, wait: float = 0.0):
    """Queue a submission of the whole suite: 201 {"id", "state", "verdict"}; `wait` seconds
    (at most 60) to wait for the verdict before answering."""
    return await _submit(request, me, slug, "submit", wait, 201)


@router.get("/submissions/{submission_id}")
async def submission(request: Request, submission_id: str, me: CurrentUser, wait: float = 0.0):
    """One of your submissions, waiting up to `wait` seconds for it to be done."""
    try:
        row = await practice_flow.wait_for(request, owner_of(request, me), submission_id, wait)
    except StoreError as exc:
        return store_error(exc)
    return {**as_dict(row), "kata": row.kata.slug, "mode": row.mode, "source": row.source,
            "created_at": row.created_at.isoformat()}


@router.get("/me/progress")
def my_progress(request: Request, me: CurrentUser, db: DbSession) -> dict:
    """{"solved": [slugs], "attempted": [slugs]}, as `mlkatas progress --json` prints it."""
    owner = owner_of(request, me)
    return practice.progress(db, owner) if owner is not None else {"solved": [], "attempted": []}


@router.get("/katas/{slug}/draft")
def get_draft(slug: str, me: SignedIn, db: DbSession) -> dict:
    return {"source": practice.draft(db, me.id, kata_or_404(db, slug))}


@router.put("/katas/{slug}/draft", dependencies=[Csrf])
async def put_draft(request: Request, slug: str, me: SignedIn, db: DbSession):
    try:
        practice.save_draft(db, me.id, kata_or_404(db, slug), await _source(request))
    except StoreError as exc:
        return store_error(exc)
    return {"saved": True}
