"""The prompt builder: a person's prompt templates, and compiling one with their own data.

A template holds placeholders such as `{{last_saved}}`; compiling replaces each with what the
placeholder stands for (the allowed values, the person's recent katas, the bulk upload schema), in
one pass, so text that comes from a kata can never be taken for a placeholder. A placeholder the
builder does not know is an error naming it, never left in the text. A prompt is only ever seen
by its owner: anyone else's is "not found", the same answer as one that does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlkatas.catalog.kata import DIFFICULTIES, MAX_TOPIC_LEN, MAX_TOPICS, TIMES
from mlkatas.store.community import BULK_MAX, CONTENT_MAX, FIELDS
from mlkatas.store.errors import StoreError
from mlkatas.store.models import TITLE_MAX, Action, Kata, Prompt, utcnow

NAME_MAX = 120
TEMPLATE_MAX = 20_000
RECENT = 10  # katas per "last ..." placeholder, as on mlkatas.com
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

DEFAULT_NAME = "Katas like the ones I liked"
DEFAULT_TEMPLATE = """\
Help me learn PyTorch and einops and deepen my understanding of deep learning by writing exercises \
(katas) for me.

Katas I upvoted lately:
{{last_upvoted}}

Katas I saved for later:
{{last_saved}}

Katas I completed lately:
{{last_completed}}

Write 5 new katas that build on these without repeating them. Each has a clear task, starter code, \
and a way to check the answer (asserts on shapes and values). Difficulty is one of: {{difficulties}}. \
Time is one of: {{times}}.

Answer with JSON only, in this format:

{{kata_schema}}
"""


class PromptError(StoreError):
    """A prompt that cannot be stored, found or compiled."""


def kata_json_schema() -> dict:
    """The bulk upload's format (store.community) as a JSON Schema, from its own limits."""
    return {
        "type": "array", "minItems": 1, "maxItems": BULK_MAX,
        "items": {
            "type": "object", "required": list(FIELDS), "additionalProperties": False,
            "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX,
                          "description": "unique on the site"},
                "content": {"type": "string", "minLength": 1, "maxLength": CONTENT_MAX,
                            "description": "Markdown, with code blocks and math ($...$, $$...$$)"},
                "difficulty": {"enum": list(DIFFICULTIES)},
                "time": {"enum": list(TIMES)},
                "topics": {"type": "array", "minItems": 1, "maxItems": MAX_TOPICS,
                           "items": {"type": "string", "minLength": 1, "maxLength": MAX_TOPIC_LEN}},
            },
        },
    }


EXAMPLE = [{
    "title": "Transpose a batch of matrices",
    "content": "Given `x` of shape `(b, n, m)`, return `y` of shape `(b, m, n)` with "
               "`y[i] = x[i].T`.\n\n```python\ny = rearrange(x, 'b n m -> b m n')\nassert y.shape == (2, 4, 3)\n```",
    "difficulty": DIFFICULTIES[0], "time": TIMES[0], "topics": ["einops", "tensor-manipulation"],
}]


def kata_schema_text() -> str:
    return ("A JSON list of katas (it uploads as it is at /katas/new, \"Upload several\"), following this JSON Schema:"
            f"\n\n```json\n{json.dumps(kata_json_schema(), indent=2)}\n```\n\n"
            f"For example:\n\n```json\n{json.dumps(EXAMPLE, indent=2)}\n```")


def recent_katas(db: Session, user_id: int, kind: str) -> list[Kata]:
    """The person's last RECENT katas upvoted, saved or completed, newest first."""
    query = (select(Kata).join(Action, Action.kata_id == Kata.id)
             .where(Action.user_id == user_id, Action.kind == kind)
             .order_by(Action.created_at.desc(), Kata.id.desc()).limit(RECENT))
    return list(db.scalars(query))


def kata_lines(katas: list[Kata]) -> str:
    if not katas:
        return "(none yet)"
    return "\n".join(f"- {k.title} ({k.difficulty}, {k.time}; topics: {', '.join(k.topic_list)})" for k in katas)


# what each placeholder stands for, shown next to the editor
PLACEHOLDERS: dict[str, str] = {
    "difficulties": "the allowed difficulties",
    "times": "the allowed times",
    "last_upvoted": f"your last {RECENT} upvoted katas",
    "last_saved": f"your last {RECENT} saved katas",
    "last_completed": f"your last {RECENT} completed katas",
    "kata_schema": "the bulk upload format (JSON Schema and an example)",
}
FILLERS: dict[str, Callable[[Session, int], str]] = {
    "difficulties": lambda db, uid: ", ".join(DIFFICULTIES),
    "times": lambda db, uid: ", ".join(TIMES),
    "last_upvoted": lambda db, uid: kata_lines(recent_katas(db, uid, "upvote")),
    "last_saved": lambda db, uid: kata_lines(recent_katas(db, uid, "save")),
    "last_completed": lambda db, uid: kata_lines(recent_katas(db, uid, "complete")),
    "kata_schema": lambda db, uid: kata_schema_text(),
}


def unknown_placeholders(template: str) -> list[str]:
    return list(dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(template) if m.group(1) not in FILLERS))


def _unknown_error(unknown: list[str]) -> PromptError:
    named = ", ".join("{{%s}}" % u for u in unknown)
    known = ", ".join("{{%s}}" % k for k in PLACEHOLDERS)
    return PromptError("template", f"unknown placeholder{'s' if len(unknown) > 1 else ''} {named}; "
                                   f"the builder knows: {known}")


def compile_template(db: Session, user_id: int, template: str) -> str:
    """The template with every placeholder replaced by this person's data (each computed once)."""
    unknown = unknown_placeholders(template)
    if unknown:
        raise _unknown_error(unknown)
    cache: dict[str, str] = {}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in cache:
            cache[name] = FILLERS[name](db, user_id)
        return cache[name]

    return PLACEHOLDER.sub(fill, template)


def checked(name: object, template: object) -> tuple[str, str]:
    """The clean name and template, or PromptError naming the first field that is wrong."""
    if not isinstance(name, str) or not name.strip():
        raise PromptError("name", "a prompt needs a name (text)")
    name = name.strip()
    if len(name) > NAME_MAX:
        raise PromptError("name", f"a name has at most {NAME_MAX} characters; this one has {len(name)}")
    if "\x00" in name:
        raise PromptError("name", "a name cannot hold a null character")
    if not isinstance(template, str) or not template.strip():
        raise PromptError("template", "a prompt needs a template (text)")
    if len(template) > TEMPLATE_MAX:
        raise PromptError("template", f"a template has at most {TEMPLATE_MAX:,} characters; "
                                      f"this one has {len(template):,}")
    if "\x00" in template:
        raise PromptError("template", "a template cannot hold a null character")
    unknown = unknown_placeholders(template)
    if unknown:  # said at once, not first when compiling
        raise _unknown_error(unknown)
    return name, template


def _name_free(db: Session, user_id: int, name: str, but: int | None = None) -> None:
    query = select(Prompt.id).where(Prompt.user_id == user_id, Prompt.name == name)
    if but is not None:
        query = query.where(Prompt.id != but)
    if db.scalar(query) is not None:
        raise PromptError("name", f"you already have a prompt named {name!r}", status=409)


def list_prompts(db: Session, user_id: int) -> list[Prompt]:
    """The person's prompts, last changed first."""
    return list(db.scalars(select(Prompt).where(Prompt.user_id == user_id)
                           .order_by(Prompt.updated_at.desc(), Prompt.id.desc())))


def get_prompt(db: Session, user_id: int, prompt_id: int | str) -> Prompt:
    """The person's prompt; PromptError 404 if there is none by that id, or it is someone else's."""
    text = str(prompt_id)
    found = db.get(Prompt, int(text)) if text.isdigit() and len(text) <= 18 else None  # 64-bit ids
    if found is None or found.user_id != user_id:
        raise PromptError("id", f"you have no prompt with id {text!r}", status=404)
    return found


def create_prompt(db: Session, user_id: int, name: object, template: object,
                  forked_from_id: int | None = None) -> Prompt:
    name, template = checked(name, template)
    _name_free(db, user_id, name)
    prompt = Prompt(user_id=user_id, name=name, template=template, forked_from_id=forked_from_id)
    db.add(prompt)
    db.flush()
    return prompt


def update_prompt(db: Session, user_id: int, prompt_id: int | str, name: object, template: object) -> Prompt:
    prompt = get_prompt(db, user_id, prompt_id)
    name, template = checked(name, template)
    _name_free(db, user_id, name, but=prompt.id)
    prompt.name, prompt.template, prompt.updated_at = name, template, utcnow()
    db.flush()
    return prompt


def fork_name(db: Session, user_id: int, name: str) -> str:
    """"NAME (copy)", then "NAME (copy 2)"...: a name the person does not use yet, within NAME_MAX."""
    taken = set(db.scalars(select(Prompt.name).where(Prompt.user_id == user_id)))
    n = 1
    while True:
        suffix = " (copy)" if n == 1 else f" (copy {n})"
        candidate = name[:NAME_MAX - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def fork_prompt(db: Session, user_id: int, prompt_id: int | str, name: object = None) -> Prompt:
    """A copy of the person's prompt to change freely, remembering where it came from."""
    source = get_prompt(db, user_id, prompt_id)
    new_name = fork_name(db, user_id, source.name) if name is None else name
    return create_prompt(db, user_id, new_name, source.template, forked_from_id=source.id)


def delete_prompt(db: Session, user_id: int, prompt_id: int | str) -> None:
    db.delete(get_prompt(db, user_id, prompt_id))
