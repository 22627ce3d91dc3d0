"""The application: the store opened (and migrated) at start, the built-in katas loaded into it,
the pages and the API mounted, the static assets served from the package."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from mlkatas.catalog import Catalog
from mlkatas.queue.client import GraderClient
from mlkatas.store.db import Database
from mlkatas.store.katas import QueryError
from mlkatas.store.seed import sync_catalog
from mlkatas.store.submissions import FairUse
from mlkatas.web.static_files import CachedStaticFiles, versioned_url

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["static"] = partial(versioned_url, HERE / "static")  # {{ static("site.css") }}


def create_app(database_url: str | None = None, catalog: Catalog | None = None, grader: GraderClient | None = None,
               fair_use: FairUse | None = None, freeze_heap: bool = False) -> FastAPI:
    """The site over the database at `database_url` (default: $MLKATAS_DB, else mlkatas.db in the
    working folder), created and migrated if needed, with the catalogue's katas synced into it.
    Submissions go to `grader` (default: the one `mlkatas serve` started, from the environment).
    `freeze_heap` (a server's worker): once started, what start-up built is kept out of the garbage
    collector's scans (gc.freeze), so a full collection does not walk ~100,000 long-lived objects
    in the middle of a request."""
    from mlkatas.web import (
        api,
        api_account,
        api_community,
        api_practice,
        api_prompts,
        pages,
        pages_account,
        pages_community,
        pages_practice,
        pages_prompts,
        pages_search,
    )
    from mlkatas.web.auth import CsrfCookie, SigninThrottle

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db = Database(database_url)
        db.migrate()
        app.state.catalog = catalog if catalog is not None else Catalog.load()
        with db.session() as session:
            sync_catalog(session, app.state.catalog)
        app.state.db = db
        if freeze_heap:
            gc.collect()
            gc.freeze()
        yield
        db.close()

    app = FastAPI(title="mlkatas", lifespan=lifespan, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.signin_throttle = SigninThrottle()
    app.state.grader = grader if grader is not None else GraderClient.from_env()
    app.state.fair_use = fair_use if fair_use is not None else FairUse.from_env()
    app.add_middleware(CsrfCookie)
    app.mount("/static", CachedStaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api_practice.router)  # before api_account: its PUT /katas/{slug}/{kind} would take /draft
    app.include_router(api_account.router)
    app.include_router(api_community.router)
    app.include_router(api.router)
    app.include_router(pages_practice.router)
    app.include_router(pages_account.router)
    app.include_router(pages_community.router)
    app.include_router(api_prompts.router)
    app.include_router(pages_prompts.router)
    app.include_router(pages_search.router)
    app.include_router(pages.router)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        """JSON under /api (a message a person understands), a page elsewhere."""
        headers = getattr(exc, "headers", None)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=headers)
        titles = {401: "Sign in first", 403: "Not allowed", 404: "Not found", 409: "Conflict", 429: "Too many tries"}
        return templates.TemplateResponse(request, "error.html", {
            "title": titles.get(exc.status_code, "Something is wrong"), "message": exc.detail, "me": None,
        }, status_code=exc.status_code, headers=headers)

    @app.exception_handler(QueryError)
    async def _bad_filter(request: Request, exc: QueryError):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "field": exc.field}, status_code=422)
        return templates.TemplateResponse(request, "error.html", {"title": "Unknown filter", "message": str(exc)},
                                          status_code=422)

    return app
