"""Who practises: a signed-in learner, or an anonymous visitor known by a cookie.

The visitor cookie holds a random, unguessable key (HttpOnly): knowing it is what owning an
anonymous submission means, so it needs no signature on top. Anonymous visitors are rate-limited
per address as well (store.submissions), since dropping the cookie yields a fresh key."""

from __future__ import annotations

import secrets
from typing import TypeVar

from fastapi import Request, Response

from mlkatas.store.models import User
from mlkatas.store.submissions import Owner

VISITOR_COOKIE = "mlkatas_visitor"
VISITOR_DAYS = 30
AnyResponse = TypeVar("AnyResponse", bound=Response)


def address(request: Request) -> str:
    return request.client.host if request.client else "?"


def owner_of(request: Request, me: User | None, create: bool = False) -> Owner | None:
    """The learner asking; for a visitor without a cookie, a new key when `create` (kept by
    `keep_visitor`), else None."""
    if me is not None:
        return Owner.user(me.id, address(request))
    key = request.cookies.get(VISITOR_COOKIE, "")
    if not (16 <= len(key) <= 48 and key.replace("-", "").replace("_", "").isalnum()):
        if not create:
            return None
        key = request.state.new_visitor = secrets.token_urlsafe(24)
    return Owner.visitor(key, address(request))


def keep_visitor(request: Request, response: AnyResponse) -> AnyResponse:
    """Set the cookie of a visitor key made for this request."""
    key = getattr(request.state, "new_visitor", None)
    if key:
        response.set_cookie(VISITOR_COOKIE, key, max_age=VISITOR_DAYS * 86400, httponly=True, samesite="lax",
                            path="/")
    return response
