"""What a judged kata's page shows of the learner's practice (the editor's code, hints, the
solution, past submissions): PracticeContext, built for templates/practice/panel.html."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from fastapi import Request
from sqlalchemy.orm import Session

from mlkatas.catalog.kata import Kata as CatalogKata
from mlkatas.store import practice
from mlkatas.store.models import Kata, Submission, User, utcnow
from mlkatas.store.submissions import Owner
from mlkatas.web.markdown import render
from mlkatas.web.views import relative_date
from mlkatas.web.visitor import owner_of

LOCAL_SANDBOX_NOTE = "Submissions run without the strict sandbox on this server"


@dataclass(frozen=True)
class HistoryRow:
    id: str
    when: str
    status: str
    summary: str


@dataclass(frozen=True)
class PracticeContext:
    slug: str
    source: str  # the signed-in learner's draft, else the starter
    starter: str
    signed_in: bool
    solved: bool
    hints_total: int
    hints: list[str]  # the revealed tiers, as safe HTML
    gave_up: bool
    solution_html: str | None  # only after a pass or a give-up
    sandbox_note: str | None
    history: list[HistoryRow] = field(default_factory=list)


def catalog_kata(request: Request, kata: Kata) -> CatalogKata | None:
    """The pack's kata behind a judged row (starter, hints, solution), None for a prose kata."""
    catalog = request.app.state.catalog
    return catalog.get(kata.slug) if kata.judged and kata.slug in catalog else None


def hints_html(source: CatalogKata, revealed: int) -> list[str]:
    return [render(hint) for hint in source.hints[:revealed]]


def solution_html(source: CatalogKata) -> str:
    return f'<pre class="solution"><code class="language-python">{escape(source.solution)}</code></pre>'


def history_rows(db: Session, owner: Owner, kata: Kata) -> list[HistoryRow]:
    now = utcnow()
    return [HistoryRow(row.id, relative_date(row.created_at, now), row_status(row), row.summary or "being graded")
            for row in practice.history(db, owner, kata)]


def row_status(row: Submission) -> str:
    return row.status if row.state == "done" and row.status else row.state


def unlocked(db: Session, owner: Owner | None, kata: Kata) -> tuple[bool, bool]:
    """(passed, gave up) for this learner."""
    if owner is None:
        return False, False
    found = practice.progress_row(db, owner, kata)
    return practice.has_passed(db, owner, kata), bool(found and found.gave_up_at)


def practice_context(db: Session, request: Request, me: User | None, kata: Kata) -> PracticeContext | None:
    source = catalog_kata(request, kata)
    if source is None:
        return None
    owner = owner_of(request, me)
    passed, gave_up = unlocked(db, owner, kata)
    progress = practice.progress_row(db, owner, kata) if owner is not None else None
    draft = practice.draft(db, me.id, kata) if me is not None else None
    grader = request.app.state.grader
    return PracticeContext(
        slug=kata.slug, source=draft if draft is not None else source.starter, starter=source.starter,
        signed_in=me is not None, solved=passed, hints_total=len(source.hints),
        hints=hints_html(source, progress.hints if progress else 0), gave_up=gave_up,
        solution_html=solution_html(source) if passed or gave_up else None,
        sandbox_note=LOCAL_SANDBOX_NOTE if grader.sandbox != "strict" else None,
        history=history_rows(db, owner, kata) if me is not None and owner is not None else [],
    )
