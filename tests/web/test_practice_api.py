"""The practice API as a script or the editor uses it: run, submit, read, progress, drafts, and
every kind of bad input answered with its error while grading goes on."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mlkatas.queue.client import GraderClient
from mlkatas.store.submissions import FairUse
from mlkatas.web.app import create_app
from tests.queue._harness import running_grader
from tests.web.conftest import token

SLUG = "split-heads"
WRONG_DH = """import torch
from einops import rearrange

def split_heads(x, num_heads):
    return rearrange(x, "b s (d h) -> b h s d", h=num_heads)
"""


@pytest.fixture
def practice_site(tmp_path, catalog, judge):
    """A site whose submissions a real grader grades (the local judge: the strict one is for the
    hostile test)."""
    db_url = f"sqlite:///{tmp_path / 'site.db'}"
    with (TestClient(create_app(db_url, catalog, grader=GraderClient(None, "local"))) as client,
          running_grader(db_url, judge) as grader):
        client.app.state.grader = GraderClient(grader.socket_path, "local")
        yield client


def solution(catalog, slug: str = SLUG) -> str:
    return catalog.get(slug).solution


def submit(site, source: str, headers: dict | None = None, slug: str = SLUG, wait: float = 30):
    return site.post(f"/api/katas/{slug}/submissions?wait={wait}", json={"source": source}, headers=headers or {})


def test_a_right_submission_passes_and_counts_as_solved(practice_site, catalog):
    ada = token(practice_site)
    answer = submit(practice_site, solution(catalog), ada)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["state"] == "done" and body["verdict"]["status"] == "passed"
    assert len(body["verdict"]["cases"]) > 1  # the hidden cases too, not the example alone
    assert practice_site.get("/api/me/progress", headers=ada).json() == {"solved": [SLUG], "attempted": []}
    assert practice_site.get(f"/api/katas/{SLUG}").json()["solves"] == 1


def test_run_grades_the_visible_example_only(practice_site, catalog):
    answer = practice_site.post(f"/api/katas/{SLUG}/run", json={"source": solution(catalog)})
    assert answer.status_code == 200, answer.text
    cases = answer.json()["verdict"]["cases"]
    assert [c["name"] for c in cases] == ["example"] and cases[0]["status"] == "passed"
    # a passing run is not a solve
    assert practice_site.get("/api/me/progress").json() == {"solved": [], "attempted": [SLUG]}


def test_the_dh_mistake_is_named_and_a_submission_can_be_read_back_after(practice_site):
    ada = token(practice_site)
    first = submit(practice_site, WRONG_DH, ada, wait=0)
    assert first.status_code == 201 and first.json()["state"] in ("queued", "grading", "done")
    read = practice_site.get(f"/api/submissions/{first.json()['id']}?wait=30", headers=ada).json()
    assert read["state"] == "done" and read["source"] == WRONG_DH and read["kata"] == SLUG
    failing = next(c for c in read["verdict"]["cases"] if c["status"] == "failed")
    assert failing["kind"] == "rearranged"


def test_a_submit_that_waits_answers_what_reading_it_back_gives(practice_site):
    ada = token(practice_site)
    answered = submit(practice_site, WRONG_DH, ada).json()  # the verdict came with the grader's notice
    read = practice_site.get(f"/api/submissions/{answered['id']}", headers=ada).json()
    assert answered["state"] == "done" and answered["verdict"]["status"] == "failed"
    assert answered == {k: read[k] for k in ("id", "state", "verdict")}


def test_only_the_owner_reads_a_submission(practice_site):
    ada, bob = token(practice_site, "ada"), token(practice_site, "bob")
    mine = submit(practice_site, WRONG_DH, ada).json()["id"]
    for who in (bob, {}):  # another learner, an anonymous visitor
        other = practice_site.get(f"/api/submissions/{mine}", headers=who)
        assert other.status_code == 404
        assert practice_site.get("/api/submissions/no-such-id", headers=who).json() == other.json() | {
            "error": other.json()["error"].replace(mine, "no-such-id")}  # the same answer as a made-up id


def test_an_anonymous_visitor_keeps_their_submissions_by_cookie(practice_site, catalog):
    first = submit(practice_site, solution(catalog))
    assert first.status_code == 201 and "mlkatas_visitor" in first.cookies
    assert practice_site.get(f"/api/submissions/{first.json()['id']}").status_code == 200
    assert practice_site.get("/api/me/progress").json()["solved"] == [SLUG]
    practice_site.cookies.clear()
    assert practice_site.get(f"/api/submissions/{first.json()['id']}").status_code == 404


@pytest.mark.parametrize("source, status, words", [
    ("x" * (64 * 1024 + 1), 413, "65,536 bytes"),
    ("", 422, "empty"),
    ("   \n", 422, "empty"),
    ("def split_heads(x, h):\n    return x\x00\n", 422, "null byte"),
    (42, 422, "text"),
])
def test_bad_source_gets_an_error_naming_the_problem(practice_site, source, status, words):
    answer = practice_site.post(f"/api/katas/{SLUG}/submissions", json={"source": source})
    assert answer.status_code == status, answer.text
    assert words in answer.json()["error"] and answer.json()["field"] == "source"


@pytest.mark.parametrize("body, field, words", [
    (b'{"source": "\\ud800"}', "source", "not valid Unicode"),  # a lone surrogate, as JSON allows
    (b'{"source": "caf\xe9"}', "body", "send JSON"),  # not UTF-8 at all
    (b'{"code": "x = 1"}', "source", '"source" field'),
])
def test_a_body_that_is_not_text_or_has_no_source_is_refused(practice_site, body, field, words):
    answer = practice_site.post(f"/api/katas/{SLUG}/submissions", content=body,
                                headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["error"] and answer.json()["field"] == field


def test_a_syntax_error_is_a_verdict_not_an_http_error(practice_site):
    answer = submit(practice_site, "def split_heads(x, h)\n    return x\n")
    assert answer.status_code == 201
    assert answer.json()["verdict"]["status"] == "error" and "SyntaxError" in str(answer.json()["verdict"])


def test_unknown_and_prose_katas_are_refused(practice_site):
    assert practice_site.post("/api/katas/no-such-kata/submissions", json={"source": "x = 1"}).status_code == 404
    ada = token(practice_site)
    made = practice_site.post("/api/katas", headers=ada, json={
        "title": "Words only", "content": "Nothing to grade here.", "difficulty": "easy", "time": "<10 mins",
        "topics": ["prose"]})
    assert made.status_code == 201, made.text
    refused = practice_site.post(f"/api/katas/{made.json()['slug']}/submissions", json={"source": "x = 1"})
    assert refused.status_code == 422 and "prose kata" in refused.json()["error"]


def test_drafts_are_kept_per_signed_in_learner(practice_site):
    ada = token(practice_site)
    assert practice_site.get(f"/api/katas/{SLUG}/draft", headers=ada).json() == {"source": None}
    assert practice_site.put(f"/api/katas/{SLUG}/draft", headers=ada, json={"source": "# mine"}).status_code == 200
    assert practice_site.get(f"/api/katas/{SLUG}/draft", headers=ada).json() == {"source": "# mine"}
    assert practice_site.get(f"/api/katas/{SLUG}/draft", headers=token(practice_site, "bob")).json() == {
        "source": None}
    assert practice_site.get(f"/api/katas/{SLUG}/draft").status_code == 401


def test_fair_use_limits_answer_429_and_503_with_retry_after(tmp_path, catalog):
    """No grader runs here, so submissions stay queued: the limits are what answers."""
    db_url = f"sqlite:///{tmp_path / 'site.db'}"
    with TestClient(create_app(db_url, catalog, grader=GraderClient(str(tmp_path / "none.sock"), "strict"),
                               fair_use=FairUse(per_minute=3, queue_max=2))) as site:
        ada, bob, cyd = (token(site, n) for n in ("ada", "bob", "cyd"))
        assert submit(site, "x = 1", ada, wait=0).status_code == 201
        busy = submit(site, "x = 2", ada, wait=0)
        assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
        assert "still being graded" in busy.json()["error"]
        assert submit(site, "x = 1", bob, wait=0).status_code == 201
        full = submit(site, "x = 1", cyd, wait=0)
        assert full.status_code == 503 and int(full.headers["Retry-After"]) > 0 and "queue is full" in full.json()[
            "error"]


def test_the_rate_limit_counts_in_the_database(tmp_path, catalog, judge):
    db_url = f"sqlite:///{tmp_path / 'site.db'}"
    with (TestClient(create_app(db_url, catalog, grader=GraderClient(None), fair_use=FairUse(per_minute=2))) as site,
          running_grader(db_url, judge) as grader):
        site.app.state.grader = GraderClient(grader.socket_path, "local")
        ada = token(site)
        assert [submit(site, "x = 1", ada).status_code for _ in range(2)] == [201, 201]
        limited = submit(site, "x = 1", ada)
        assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 61
        assert "2 submissions a minute" in limited.json()["error"]
