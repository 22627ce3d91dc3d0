"""The API's accounts and a person's actions: sign up and in (a bearer token), upvote, save,
complete, a note, the JSON export of a kata, and deleting one's account."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel

from mlkatas.store.accounts import AccountError, delete_account, sign_in, sign_up
from mlkatas.store.actions import ActionError, set_action, set_note, state
from mlkatas.web.auth import Csrf, CurrentUser, SignedIn
from mlkatas.web.deps import DbSession, kata_or_404
from mlkatas.web.views import export_fields, kata_state

router = APIRouter(prefix="/api", tags=["accounts and actions"])


class Credentials(BaseModel):
    username: str
    password: str


class NoteText(BaseModel):
    text: str


@router.post("/auth/signup", status_code=201)
def signup(body: Credentials, db: DbSession) -> dict:
    try:
        return {"token": sign_up(db, body.username, body.password).token}
    except AccountError as exc:
        raise HTTPException(exc.status, str(exc)) from None


@router.post("/auth/login")
def login(body: Credentials, request: Request, db: DbSession) -> dict:
    throttle = request.app.state.signin_throttle
    address = request.client.host if request.client else "?"
    wait = throttle.retry_after(body.username, address)
    if wait:
        raise HTTPException(429, f"too many failed sign-ins; try again in {wait} s", headers={"Retry-After": str(wait)})
    try:
        return {"token": sign_in(db, body.username, body.password).token}
    except AccountError as exc:
        throttle.failed(body.username, address)
        raise HTTPException(exc.status, str(exc)) from None


# before /{kind}: routes match in order
@router.put("/katas/{slug}/note", dependencies=[Csrf])
def write_note(slug: str, body: NoteText, user: SignedIn, db: DbSession) -> dict:
    kata = kata_or_404(db, slug)
    try:
        set_note(db, user.id, kata, body.text)
    except ActionError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return kata_state(state(db, user.id, kata))


@router.put("/katas/{slug}/{kind}", dependencies=[Csrf])
def turn_on(slug: str, kind: str, user: SignedIn, db: DbSession) -> dict:
    return _act(db, user.id, slug, kind, True)


@router.delete("/katas/{slug}/{kind}", dependencies=[Csrf])
def turn_off(slug: str, kind: str, user: SignedIn, db: DbSession) -> dict:
    return _act(db, user.id, slug, kind, False)


def _act(db, user_id: int, slug: str, kind: str, on: bool) -> dict:
    if kind == "note":
        raise HTTPException(405, "a note is written with PUT /api/katas/SLUG/note {\"text\"}")
    kata = kata_or_404(db, slug)
    try:
        set_action(db, user_id, kata, kind, on)
    except ActionError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return kata_state(state(db, user_id, kata))


@router.get("/katas/{slug}/export")
def export(slug: str, user: CurrentUser, db: DbSession) -> dict:
    """The kata as JSON (mlkatas.com's export fields), with your state and note when signed in."""
    kata = kata_or_404(db, slug)
    exported = export_fields(kata)
    if user is not None:
        mine = kata_state(state(db, user.id, kata))
        exported.update({k: mine[k] for k in ("upvoted", "saved", "completed", "note")})
    return exported


@router.delete("/me", status_code=204, dependencies=[Csrf])
def delete_me(user: SignedIn, db: DbSession) -> Response:
    """Your account, your katas, actions, notes and prompts: gone."""
    delete_account(db, user.id)
    return Response(status_code=204)
