"""The API of the prompt builder: a person's prompt templates, and each one compiled."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mlkatas.store.prompts import (
    PromptError,
    compile_template,
    create_prompt,
    delete_prompt,
    fork_prompt,
    get_prompt,
    list_prompts,
    update_prompt,
)
from mlkatas.web.api_community import json_body
from mlkatas.web.auth import Csrf, SignedIn
from mlkatas.web.deps import DbSession

router = APIRouter(prefix="/api", tags=["prompt builder"])
BODY_FIELDS = ("name", "template")


def as_dict(prompt) -> dict:
    return {"id": prompt.id, "name": prompt.name, "template": prompt.template, "forked_from": prompt.forked_from_id,
            "created_at": prompt.created_at.isoformat(), "updated_at": prompt.updated_at.isoformat()}


def failed(exc: PromptError) -> JSONResponse:
    return JSONResponse({"error": str(exc), "field": exc.field}, status_code=exc.status)


async def prompt_body(request: Request, allowed: tuple[str, ...] = BODY_FIELDS,
                      required: tuple[str, ...] = BODY_FIELDS) -> dict:
    """The JSON object sent, with only `allowed` fields (422 naming any other, or a missing one)."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise PromptError("body", "must be a JSON object with " + ", ".join(allowed))
    for field in body:
        if field not in allowed:
            raise PromptError(field, f"{field!r} is not a field here ({', '.join(allowed)})")
    for field in required:
        if field not in body:
            raise PromptError(field, f"{field!r} is required")
    return body


@router.get("/prompts")
def list_mine(user: SignedIn, db: DbSession) -> dict:
    return {"items": [as_dict(p) for p in list_prompts(db, user.id)]}


@router.post("/prompts", status_code=201, dependencies=[Csrf])
async def create(request: Request, user: SignedIn, db: DbSession):
    try:
        body = await prompt_body(request)
        return as_dict(create_prompt(db, user.id, body["name"], body["template"]))
    except PromptError as exc:
        return failed(exc)


@router.get("/prompts/{prompt_id}")
def read(prompt_id: str, user: SignedIn, db: DbSession):
    try:
        return as_dict(get_prompt(db, user.id, prompt_id))
    except PromptError as exc:
        return failed(exc)


@router.put("/prompts/{prompt_id}", dependencies=[Csrf])
async def change(prompt_id: str, request: Request, user: SignedIn, db: DbSession):
    try:
        get_prompt(db, user.id, prompt_id)  # 404 before any complaint about the body
        body = await prompt_body(request)
        return as_dict(update_prompt(db, user.id, prompt_id, body["name"], body["template"]))
    except PromptError as exc:
        return failed(exc)


@router.delete("/prompts/{prompt_id}", status_code=204, dependencies=[Csrf])
def delete(prompt_id: str, user: SignedIn, db: DbSession):
    try:
        delete_prompt(db, user.id, prompt_id)
    except PromptError as exc:
        return failed(exc)
    return JSONResponse(None, status_code=204)


@router.post("/prompts/{prompt_id}/fork", status_code=201, dependencies=[Csrf])
async def fork(prompt_id: str, request: Request, user: SignedIn, db: DbSession):
    """A copy named "NAME (copy)", or as `{"name": ...}` says (the body is optional)."""
    try:
        get_prompt(db, user.id, prompt_id)
        has_body = request.headers.get("content-length", "0") != "0"
        name = (await prompt_body(request, ("name",), ())).get("name") if has_body else None
        return as_dict(fork_prompt(db, user.id, prompt_id, name))
    except PromptError as exc:
        return failed(exc)


@router.get("/prompts/{prompt_id}/compiled")
def compiled(prompt_id: str, user: SignedIn, db: DbSession):
    try:
        prompt = get_prompt(db, user.id, prompt_id)
        return {"id": prompt.id, "name": prompt.name, "text": compile_template(db, user.id, prompt.template)}
    except PromptError as exc:
        return failed(exc)
