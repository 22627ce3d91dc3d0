"""What a route needs from the application: a database session for the request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from mlkatas.store.katas import get_kata
from mlkatas.store.models import Kata


async def session(request: Request) -> AsyncIterator[Session]:
    # on the event loop, not in a thread: opening and committing take microseconds, and a thread hop
    # per dependency cost more than that under load (the routes that hash passwords stay in threads)
    with request.app.state.db.session() as s:
        yield s


# scope="function": commit before the response goes out; by default FastAPI ends a yield dependency
# after sending it, so a browser following a redirect (sign up -> /) could read before the commit.
DbSession = Annotated[Session, Depends(session, scope="function")]


def kata_or_404(db: Session, slug: str) -> Kata:
    """The kata a URL names, or 404 saying so (a JSON error under /api, a page elsewhere)."""
    found = get_kata(db, slug)
    if found is None:
        raise HTTPException(404, f"there is no kata named {slug!r}")
    return found
