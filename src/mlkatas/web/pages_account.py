"""The pages of accounts and of a person's actions on a kata: sign up, sign in, sign out, delete
my account; upvote, save, complete and the note, in place with htmx (plain form posts without it)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from mlkatas.store.accounts import SESSION_DAYS, AccountError, delete_account, sign_in, sign_out, sign_up
from mlkatas.store.actions import ActionError, set_action, set_note, state
from mlkatas.web.app import templates
from mlkatas.web.auth import SESSION_COOKIE, Csrf, SignedIn, credential
from mlkatas.web.deps import DbSession, kata_or_404

router = APIRouter(include_in_schema=False)


def _signed_in_response(token: str) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_DAYS * 86400, httponly=True, samesite="lax", path="/")
    return response


@router.get("/signup")
def signup_page(request: Request):
    return templates.TemplateResponse(request, "account.html", {"mode": "signup", "error": None, "username": ""})


@router.post("/signup", dependencies=[Csrf])
async def signup(request: Request, db: DbSession):
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    try:
        # argon2 takes tens of milliseconds of CPU: in a thread, not on the event loop every request shares
        signin = await run_in_threadpool(sign_up, db, username, password)
    except AccountError as exc:
        return templates.TemplateResponse(request, "account.html", {"mode": "signup", "error": str(exc),
                                                                    "username": username}, status_code=exc.status)
    return _signed_in_response(signin.token)


@router.get("/signin")
def signin_page(request: Request):
    return templates.TemplateResponse(request, "account.html", {"mode": "signin", "error": None, "username": ""})


@router.post("/signin", dependencies=[Csrf])
async def signin(request: Request, db: DbSession):
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    throttle, address = request.app.state.signin_throttle, request.client.host if request.client else "?"
    wait = throttle.retry_after(username, address)
    error, status = None, 200
    if wait:
        error, status = f"Too many failed sign-ins: try again in {wait} seconds.", 429
    else:
        try:
            return _signed_in_response((await run_in_threadpool(sign_in, db, username, password)).token)
        except AccountError as exc:
            throttle.failed(username, address)
            error, status = str(exc), exc.status
    response = templates.TemplateResponse(request, "account.html", {"mode": "signin", "error": error,
                                                                    "username": username}, status_code=status)
    if wait:
        response.headers["Retry-After"] = str(wait)
    return response


@router.post("/signout", dependencies=[Csrf])
def signout(request: Request, db: DbSession):
    sign_out(db, credential(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/me/delete", dependencies=[Csrf])
def delete_me(request: Request, user: SignedIn, db: DbSession):
    delete_account(db, user.id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/katas/{slug}/actions/{kind}", dependencies=[Csrf])
async def toggle(request: Request, slug: str, kind: str, user: SignedIn, db: DbSession):
    kata = kata_or_404(db, slug)
    form = await request.form()
    try:
        if kind == "note":
            set_note(db, user.id, kata, str(form.get("text", "")))
        else:
            set_action(db, user.id, kata, kind, form.get("on") == "1")
    except ActionError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    if request.headers.get("hx-request"):
        return templates.TemplateResponse(request, "_actions.html", {"kata": kata, "me": user,
                                                                     "state": state(db, user.id, kata),
                                                                     "saved_note": kind == "note"})
    return RedirectResponse(f"/katas/{slug}", status_code=303)
