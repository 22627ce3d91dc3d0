"""The practice fragments a judged kata's page fetches with htmx: run, submit (then a long poll
until the verdict), hints, give up, history. Errors come back as a verdict panel with the message."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mlkatas.engine.verdict import Verdict
from mlkatas.store import practice
from mlkatas.store.actions import state
from mlkatas.store.errors import StoreError
from mlkatas.store.models import Kata, Submission, User
from mlkatas.web import practice_flow
from mlkatas.web.app import templates
from mlkatas.web.auth import Csrf, CurrentUser
from mlkatas.web.deps import DbSession, kata_or_404
from mlkatas.web.practice_view import catalog_kata, hints_html, history_rows, solution_html
from mlkatas.web.visitor import keep_visitor, owner_of

router = APIRouter(include_in_schema=False)
SUBMIT_WAIT_S = 5.0  # answer inline when the verdict is this quick; else a "Grading…" panel that polls
POLL_WAIT_S = 10.0


def _fragment(request: Request, name: str, context: dict, status: int = 200, headers: dict | None = None):
    return keep_visitor(request, templates.TemplateResponse(request, f"practice/{name}", context,
                                                            status_code=status, headers=headers))


def _error(request: Request, exc: StoreError):
    retry = getattr(exc, "retry_after", None)
    return _fragment(request, "_verdict.html", {"error": str(exc), "retry_after": retry}, exc.status,
                     {"Retry-After": str(retry)} if retry else None)


def next_unsolved(request: Request, db, me: User | None, after: Kata) -> Kata | None:
    """The first judged kata after this one (wrapping round) the learner has not solved."""
    owner = owner_of(request, me)
    solved = set(practice.progress(db, owner)["solved"]) if owner is not None else set()
    order = [k.slug for k in request.app.state.catalog]
    start = order.index(after.slug) + 1 if after.slug in order else 0
    for slug in order[start:] + order[:start]:
        if slug not in solved and slug != after.slug:
            return kata_or_404(db, slug)
    return None


def verdict_panel(request: Request, row: Submission, db, me: User | None):
    """The verdict of a done submission (solved: the next kata, the counts and the solution too),
    or a "Grading…" panel that long-polls for it."""
    context: dict = {"row": row, "verdict": None}
    headers = None
    if row.state == "done" and row.verdict:
        verdict = Verdict.from_dict(json.loads(row.verdict))
        kata = kata_or_404(db, row.kata.slug)
        context["verdict"] = verdict
        if row.mode == "submit":
            headers = {"HX-Trigger": "mlkatas:graded"}  # the history list refreshes itself
            if verdict.passed:
                source = catalog_kata(request, kata)
                context.update(solved=True, next_kata=next_unsolved(request, db, me, kata),
                               solution_html=solution_html(source) if source else None,
                               actions_html=_actions_oob(request, db, me, kata))
    return _fragment(request, "_verdict.html", context, headers=headers)


def _actions_oob(request: Request, db, me: User | None, kata: Kata) -> str | None:
    """The page's actions (the solve count) for an out-of-band swap."""
    if me is None:
        return None
    html = templates.get_template("_actions.html").render(request=request, kata=kata, me=me,
                                                          state=state(db, me.id, kata))
    return html.replace('<div id="actions"', '<div id="actions" hx-swap-oob="true"', 1)


async def _source(request: Request) -> object:
    return (await request.form()).get("source", "")


@router.post("/katas/{slug}/run", dependencies=[Csrf])
async def run_example(request: Request, slug: str, me: CurrentUser, db: DbSession):
    owner = owner_of(request, me, create=True)
    assert owner is not None
    try:
        row = await practice_flow.submit(request, owner, slug, "run", await _source(request),
                                         practice_flow.RUN_WAIT_S)
    except StoreError as exc:
        return _error(request, exc)
    return verdict_panel(request, row, db, me)


@router.post("/katas/{slug}/submit", dependencies=[Csrf])
async def submit(request: Request, slug: str, me: CurrentUser, db: DbSession):
    owner = owner_of(request, me, create=True)
    assert owner is not None
    try:
        row = await practice_flow.submit(request, owner, slug, "submit", await _source(request), SUBMIT_WAIT_S)
    except StoreError as exc:
        return _error(request, exc)
    return verdict_panel(request, row, db, me)


@router.get("/submissions/{submission_id}/panel")
async def panel(request: Request, submission_id: str, me: CurrentUser, db: DbSession, wait: float = POLL_WAIT_S):
    try:
        row = await practice_flow.wait_for(request, owner_of(request, me), submission_id, wait)
    except StoreError as exc:
        return _error(request, exc)
    return verdict_panel(request, row, db, me)


def _practising(request: Request, slug: str, me: User | None, db, what: str):
    """The kata, its pack files and the learner, for a hint or a give-up; StoreError for a prose kata."""
    kata = kata_or_404(db, slug)
    source = catalog_kata(request, kata)
    if source is None:
        raise StoreError("kata", f"{slug!r} is a prose kata: it has no {what}")
    owner = owner_of(request, me, create=True)
    assert owner is not None
    return kata, source, owner


@router.post("/katas/{slug}/hint", dependencies=[Csrf])
def hint(request: Request, slug: str, me: CurrentUser, db: DbSession):
    try:
        kata, source, owner = _practising(request, slug, me, db, "hints")
        revealed = practice.reveal_hint(db, owner, kata, len(source.hints))
    except StoreError as exc:
        return _error(request, exc)
    return _fragment(request, "_hints.html", {"hints": hints_html(source, revealed), "total": len(source.hints)})


@router.post("/katas/{slug}/give-up", dependencies=[Csrf])
def give_up(request: Request, slug: str, me: CurrentUser, db: DbSession):
    try:
        kata, source, owner = _practising(request, slug, me, db, "reference solution")
    except StoreError as exc:
        return _error(request, exc)
    practice.give_up(db, owner, kata)
    return _fragment(request, "_solution.html", {"solution_html": solution_html(source)})


@router.get("/katas/{slug}/history", response_class=HTMLResponse)
def history(request: Request, slug: str, me: CurrentUser, db: DbSession):
    kata = kata_or_404(db, slug)
    owner = owner_of(request, me)
    rows = history_rows(db, owner, kata) if me is not None and owner is not None else []
    return _fragment(request, "_history.html", {"slug": slug, "history": rows})

