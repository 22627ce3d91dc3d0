"""What a route needs from the application: a database session for the request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


def session(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as s:
        yield s


DbSession = Annotated[Session, Depends(session)]
