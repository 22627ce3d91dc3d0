"""Accounts, sessions and what a signed-in person does, through the API (bearer tokens) and the
pages (a session cookie, CSRF tokens), on a fresh SQLite file."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mlkatas.store.models import Kata, KataTopic
from mlkatas.web.app import create_app
from mlkatas.web.auth import CSRF_COOKIE, SESSION_COOKIE
from tests.web.conftest import token


@pytest.fixture
def site(tmp_path, catalog):
    with TestClient(create_app(str(tmp_path / "site.db"), catalog)) as client:
        with client.app.state.db.session() as session:
            kata = Kata(slug="prose", title="A prose kata", description="Think.", difficulty="easy", time="<10 mins",
                        topics="einops", judged=False, upvotes=0, saves=0, solves=0)
            kata.topic_rows = [KataTopic(topic="einops")]
            session.add(kata)
        yield client


def test_sign_up_and_in_with_clear_errors(site):
    token(site, "Ada")
    assert site.post("/api/auth/login", json={"username": "ada", "password": "correct horse"}).status_code == 200
    taken = site.post("/api/auth/signup", json={"username": "ADA", "password": "another one"})
    assert taken.status_code == 409 and "taken" in taken.json()["error"]
    short = site.post("/api/auth/signup", json={"username": "x", "password": "long enough"})
    assert short.status_code == 422 and "3 to 40" in short.json()["error"]
    wrong = site.post("/api/auth/login", json={"username": "ada", "password": "wrong password"})
    unknown = site.post("/api/auth/login", json={"username": "nobody", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 401 and wrong.json() == unknown.json()


def test_failed_sign_ins_are_throttled_per_account(site):
    token(site)
    for _ in range(5):
        assert site.post("/api/auth/login", json={"username": "ada", "password": "nope nope"}).status_code == 401
    blocked = site.post("/api/auth/login", json={"username": "ada", "password": "correct horse"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "try again" in blocked.json()["error"]


def test_actions_move_counts_once_and_only_for_signed_in_people(site):
    ada, bo = token(site), token(site, "bob")
    assert site.put("/api/katas/split-heads/upvote").status_code == 401
    assert site.put("/api/katas/split-heads/upvote", headers=ada).json()["upvotes"] == 1
    assert site.put("/api/katas/split-heads/upvote", headers=ada).json()["upvotes"] == 1  # idempotent
    state = site.put("/api/katas/split-heads/upvote", headers=bo).json()
    assert state["upvotes"] == 2 and state["upvoted"]
    assert site.delete("/api/katas/split-heads/upvote", headers=ada).json()["upvotes"] == 1
    assert site.put("/api/katas/split-heads/save", headers=ada).json()["saves"] == 1
    listed = {k["slug"]: k for k in site.get("/api/katas").json()["items"]}
    assert listed["split-heads"]["upvotes"] == 1 and listed["split-heads"]["saves"] == 1
    judged = site.put("/api/katas/split-heads/complete", headers=ada)
    assert judged.status_code == 409 and "passing its tests" in judged.json()["error"]
    assert site.put("/api/katas/prose/complete", headers=ada).json()["solves"] == 1
    assert site.put("/api/katas/prose/dance", headers=ada).status_code == 404
    assert site.put("/api/katas/no-such/upvote", headers=ada).status_code == 404


def test_notes_are_private_bounded_and_never_half_written(site):
    ada, bo = token(site), token(site, "bob")
    assert site.put("/api/katas/prose/note", json={"text": "remember the axis order"}, headers=ada).status_code == 200
    too_long = site.put("/api/katas/prose/note", json={"text": "x" * 201}, headers=ada)
    assert too_long.status_code == 422 and "200 characters" in too_long.json()["error"]
    mine = site.get("/api/katas/prose/export", headers=ada).json()
    assert mine["note"] == "remember the axis order"  # the long one changed nothing
    assert site.get("/api/katas/prose/export", headers=bo).json()["note"] == ""
    assert "note" not in site.get("/api/katas/prose/export").json()
    assert {"id", "title", "content", "difficulty", "time", "topics", "stats", "author", "created_at"} <= set(mine)


def test_deleting_my_account_removes_my_traces(site):
    ada = token(site)
    site.put("/api/katas/split-heads/upvote", headers=ada)
    assert site.delete("/api/me", headers=ada).status_code == 204
    assert site.put("/api/katas/split-heads/save", headers=ada).status_code == 401  # the token died with it
    assert site.get("/api/katas/split-heads").json()["upvotes"] == 0
    assert site.post("/api/auth/login", json={"username": "ada", "password": "correct horse"}).status_code == 401


def csrf(site):
    site.get("/")
    return site.cookies[CSRF_COOKIE]


def test_the_pages_sign_up_act_in_place_and_sign_out(site):
    site.post("/signup", data={"username": "cyd", "password": "a good password", "csrf_token": csrf(site)},
              follow_redirects=False)
    assert site.cookies.get(SESSION_COOKIE)
    assert ">cyd<" in site.get("/").text
    token_value = csrf(site)
    fragment = site.post("/katas/split-heads/actions/upvote", data={"on": "1", "csrf_token": token_value},
                         headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'aria-pressed="true"' in fragment.text and "<html" not in fragment.text
    saved = site.post("/katas/prose/actions/note", data={"text": "mine", "csrf_token": token_value},
                      headers={"HX-Request": "true"})
    assert "Saved" in saved.text and ">mine</textarea>" in saved.text
    assert ">mine</textarea>" in site.get("/katas/prose").text  # survives a reload
    site.post("/signout", data={"csrf_token": token_value})
    assert ">cyd<" not in site.get("/").text and "Sign in" in site.get("/").text


def test_a_state_change_without_the_csrf_token_is_refused(site):
    site.post("/signup", data={"username": "dee", "password": "a good password", "csrf_token": csrf(site)})
    refused = site.post("/katas/split-heads/actions/upvote", data={"on": "1"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    forged = site.post("/katas/split-heads/actions/upvote", data={"on": "1", "csrf_token": "guessed"})
    assert forged.status_code == 403
    assert site.get("/api/katas/split-heads").json()["upvotes"] == 0


def test_a_bad_sign_in_page_keeps_the_form_and_says_why(site):
    page = site.post("/signin", data={"username": "ghost", "password": "whatever1", "csrf_token": csrf(site)})
    assert page.status_code == 401 and "wrong username or password" in page.text and 'value="ghost"' in page.text


def test_my_completed_katas_sink_to_the_end_of_the_catalogue_page(site):
    csrf_value = csrf(site)
    site.post("/signup", data={"username": "eve", "password": "a good password", "csrf_token": csrf_value})
    def rows() -> list[str]:
        return [part.split('"')[0] for part in site.get("/").text.split('<h3><a href="')[1:]]

    assert rows()[0] == "/katas/prose"  # the newest kata leads
    site.post("/katas/prose/actions/complete", data={"on": "1", "csrf_token": csrf_value})
    assert rows()[-1] == "/katas/prose" and rows()[0] != "/katas/prose"
