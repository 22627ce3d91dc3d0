"""Who is asking, and whether a state-changing request really comes from our own page.

- A browser signs in with a session cookie (HttpOnly, SameSite=Lax); a script with
  `Authorization: Bearer TOKEN` (the token from /api/auth/login). Both are rows of the sessions
  table, kept as hashes (store.accounts).
- CSRF: every response carries a random token in a cookie (double submit); a request that changes
  state with cookies must send the same token back, in the X-CSRF-Token header (htmx, set once on
  <body>) or the csrf_token form field. A bearer-token request carries no cookie a foreign page
  could ride on, and needs none.
- Failed sign-ins are throttled per account and per address (in each server process).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlkatas.store.accounts import session_for
from mlkatas.store.models import User
from mlkatas.web.deps import DbSession

SESSION_COOKIE = "mlkatas_session"
CSRF_COOKIE = "mlkatas_csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def credential(request: Request) -> str | None:
    return bearer(request) or request.cookies.get(SESSION_COOKIE)


def user_for(request: Request, db: DbSession) -> User | None:
    found = session_for(db, credential(request))
    return db.get(User, found.user_id) if found is not None else None


async def current_user(request: Request, db: DbSession) -> User | None:
    return user_for(request, db)  # async: on the event loop (one indexed lookup), no thread hop


async def signed_in(request: Request, db: DbSession) -> User:
    user = user_for(request, db)
    if user is None:
        raise HTTPException(401, "sign in first: this needs an account")
    return user


async def csrf_checked(request: Request) -> None:
    if request.method in SAFE_METHODS or bearer(request):
        return
    if request.url.path.startswith("/api/") and SESSION_COOKIE not in request.cookies:
        return  # no cookie for a foreign page to ride on; the route answers 401 if it needs a person
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf_token")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "this request did not come from a page of this site (missing or wrong CSRF token); "
                                 "reload the page and try again")


CurrentUser = Annotated[User | None, Depends(current_user)]
SignedIn = Annotated[User, Depends(signed_in)]
Csrf = Depends(csrf_checked)


class CsrfCookie:
    """Gives every visitor a CSRF token (request.state.csrf) and keeps it in a cookie. Plain ASGI:
    BaseHTTPMiddleware would run every request through an extra task and body stream."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = Request(scope).cookies.get(CSRF_COOKIE)
        fresh = not token or len(token) > 100
        token = secrets.token_urlsafe(24) if fresh else token
        scope.setdefault("state", {})["csrf"] = token
        if not fresh:
            await self.app(scope, receive, send)
            return
        cookie = Response()
        cookie.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", path="/")

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class SigninThrottle:
    """At most `per_account` failed sign-ins per account and `per_address` per client address
    in `window_s`; past that, sign-ins wait (429 with Retry-After)."""

    def __init__(self, per_account: int = 5, per_address: int = 20, window_s: float = 900.0):
        self.limits = {"account": per_account, "address": per_address}
        self.window_s = window_s
        self.failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def retry_after(self, account: str, address: str) -> int:
        """Seconds to wait before trying again; 0 when a try is allowed now."""
        now = time.monotonic()
        wait = 0.0
        with self.lock:
            for key in (("account", account.lower()), ("address", address)):
                times = self.failures[key]
                while times and now - times[0] > self.window_s:
                    times.popleft()
                if len(times) >= self.limits[key[0]]:
                    wait = max(wait, self.window_s - (now - times[0]))
        return int(wait) + 1 if wait else 0

    def failed(self, account: str, address: str) -> None:
        now = time.monotonic()
        with self.lock:
            self.failures[("account", account.lower())].append(now)
            self.failures[("address", address)].append(now)
