"""What a route needs from the application: a database session for the request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


def session(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as s:
        yield s


# scope="function": commit before the response goes out; by default FastAPI ends a yield dependency
# after sending it, so a browser following a redirect (sign up -> /) could read before the commit.
DbSession = Annotated[Session, Depends(session, scope="function")]
