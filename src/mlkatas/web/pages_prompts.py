"""The pages of the prompt builder: my prompts, an editor (the default template for a new one),
a prompt compiled with my data and a Copy button, fork and delete."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from mlkatas.store.models import utcnow
from mlkatas.store.prompts import (
    DEFAULT_NAME,
    DEFAULT_TEMPLATE,
    NAME_MAX,
    PLACEHOLDERS,
    TEMPLATE_MAX,
    PromptError,
    compile_template,
    create_prompt,
    delete_prompt,
    fork_prompt,
    get_prompt,
    list_prompts,
    update_prompt,
)
from mlkatas.web.app import templates
from mlkatas.web.auth import Csrf, SignedIn
from mlkatas.web.deps import DbSession
from mlkatas.web.views import relative_date

router = APIRouter(include_in_schema=False)


def _mine(db, me, prompt_id: str):
    try:
        return get_prompt(db, me.id, prompt_id)
    except PromptError as exc:
        raise HTTPException(404, f"You have no prompt with id “{prompt_id}”.") from exc


def _editor(request: Request, me, values: dict, prompt=None, error: PromptError | None = None):
    return templates.TemplateResponse(request, "prompts_edit.html", {
        "me": me, "prompt": prompt, "values": values, "error": error, "placeholders": PLACEHOLDERS,
        "name_max": NAME_MAX, "template_max": TEMPLATE_MAX,
    }, status_code=error.status if error else 200)


async def _form_values(request: Request) -> dict:
    form = await request.form()
    # browsers send a textarea's line ends as CRLF: store what the person typed
    return {k: str(form.get(k, "")).replace("\r\n", "\n") for k in ("name", "template")}


@router.get("/prompts")
def my_prompts(request: Request, me: SignedIn, db: DbSession):
    now = utcnow()
    rows = [(p, relative_date(p.updated_at, now)) for p in list_prompts(db, me.id)]
    return templates.TemplateResponse(request, "prompts.html", {"me": me, "rows": rows})


@router.get("/prompts/new")
def new_page(request: Request, me: SignedIn, db: DbSession):
    taken = {p.name for p in list_prompts(db, me.id)}
    return _editor(request, me, {"name": "" if DEFAULT_NAME in taken else DEFAULT_NAME, "template": DEFAULT_TEMPLATE})


@router.post("/prompts/new", dependencies=[Csrf])
async def new(request: Request, me: SignedIn, db: DbSession):
    values = await _form_values(request)
    try:
        prompt = create_prompt(db, me.id, values["name"], values["template"])
    except PromptError as exc:
        return _editor(request, me, values, error=exc)
    return RedirectResponse(f"/prompts/{prompt.id}", status_code=303)


@router.get("/prompts/{prompt_id}")
def compiled_page(request: Request, prompt_id: str, me: SignedIn, db: DbSession):
    prompt = _mine(db, me, prompt_id)
    text, error = "", None
    try:
        text = compile_template(db, me.id, prompt.template)
    except PromptError as exc:
        error = str(exc)
    return templates.TemplateResponse(request, "prompts_compiled.html", {
        "me": me, "prompt": prompt, "text": text, "error": error,
    }, status_code=422 if error else 200)


@router.get("/prompts/{prompt_id}/edit")
def edit_page(request: Request, prompt_id: str, me: SignedIn, db: DbSession):
    prompt = _mine(db, me, prompt_id)
    return _editor(request, me, {"name": prompt.name, "template": prompt.template}, prompt)


@router.post("/prompts/{prompt_id}/edit", dependencies=[Csrf])
async def edit(request: Request, prompt_id: str, me: SignedIn, db: DbSession):
    prompt = _mine(db, me, prompt_id)
    values = await _form_values(request)
    try:
        update_prompt(db, me.id, prompt.id, values["name"], values["template"])
    except PromptError as exc:
        return _editor(request, me, values, prompt, error=exc)
    return RedirectResponse(f"/prompts/{prompt.id}", status_code=303)


@router.post("/prompts/{prompt_id}/fork", dependencies=[Csrf])
def fork(prompt_id: str, me: SignedIn, db: DbSession):
    copy = fork_prompt(db, me.id, _mine(db, me, prompt_id).id)
    return RedirectResponse(f"/prompts/{copy.id}/edit", status_code=303)


@router.post("/prompts/{prompt_id}/delete", dependencies=[Csrf])
def delete(prompt_id: str, me: SignedIn, db: DbSession):
    delete_prompt(db, me.id, _mine(db, me, prompt_id).id)
    return RedirectResponse("/prompts", status_code=303)
