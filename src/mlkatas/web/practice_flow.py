"""Submitting and waiting, shared by the JSON API and the page fragments: the row is committed
before the grader hears of it, and a wait never blocks the event loop."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import joinedload

from mlkatas.queue.client import GraderClient, GraderUnavailable, Notice
from mlkatas.store import submissions
from mlkatas.store.errors import StoreError
from mlkatas.store.models import Submission
from mlkatas.store.submissions import Owner, SubmissionRefused

MAX_WAIT_S = 60.0
RUN_WAIT_S = 30.0  # a run answers with its verdict: the example alone grades in well under this


def _grader(request: Request) -> GraderClient:
    grader: GraderClient = request.app.state.grader
    if not grader.socket_path:
        raise SubmissionRefused("source", "this server grades nothing: it was started without a grader", 503, 60)
    return grader


def _reload(request: Request, submission_id: str) -> Submission:
    with request.app.state.db.session() as s:
        row = s.get(Submission, submission_id, options=[joinedload(Submission.kata)])
        assert row is not None
        s.expunge(row)
        return row


async def submit(request: Request, owner: Owner, slug: str, mode: str, source: object, wait_s: float) -> Submission:
    """Queue a submission (committed), tell the grader, wait up to `wait_s` for its verdict."""
    submission_id, _ = await submit_id(request, owner, slug, mode, source, wait_s)
    return _reload(request, submission_id)


async def submit_id(request: Request, owner: Owner, slug: str, mode: str, source: object,
                    wait_s: float) -> tuple[str, Notice]:
    """submit(), answering with the submission's id and how the wait ended (the verdict in it
    when the grader sent it along); the caller reads what else it needs."""
    grader = _grader(request)
    with request.app.state.db.session() as s:
        submission_id = submissions.create(s, owner, submissions.kata_ref(s, slug), mode, source,
                                           request.app.state.fair_use)
    try:
        notice = await grader.wait_notice(submission_id, min(max(wait_s, 0.0), MAX_WAIT_S))
    except GraderUnavailable:
        notice = Notice(False)  # stored and queued: the grader grades it when it is back
    return submission_id, notice


async def wait_for(request: Request, owner: Owner | None, submission_id: str, wait_s: float) -> Submission:
    """The owner's submission, once done or after `wait_s`; 404 for anyone else's."""
    if owner is None:
        raise StoreError("id", f"no submission of yours has the id {submission_id!r}", status=404)
    with request.app.state.db.session() as s:
        row = submissions.owned(s, owner, submission_id)
        done = row.state == "done"
    if not done and wait_s > 0:
        try:
            await _grader(request).wait_done(submission_id, min(wait_s, MAX_WAIT_S))
        except GraderUnavailable:
            pass
    return _reload(request, submission_id)
