"""Community katas through the API: one at a time, in bulk (all or nothing, each problem named),
exported and uploaded back, deleted by their author only; bad input changes nothing."""

from __future__ import annotations

import pytest

from tests.web.conftest import token


def kata(title="Einsum basics", **change):
    return {"title": title, "content": "Write `einsum('ij->ji', x)`.", "difficulty": "easy", "time": "<10 mins",
            "topics": ["einsum"], **change}


def total(site):
    return site.get("/api/katas").json()["total"]


def test_submit_one_kata_and_find_it_listed_as_prose(site):
    ada = token(site, "ada")
    made = site.post("/api/katas", json=kata(), headers=ada)
    assert made.status_code == 201 and made.json()["slug"] == "einsum-basics"
    listed = site.get("/api/katas", params={"q": "einsum basics"}).json()["items"]
    assert [k["slug"] for k in listed] == ["einsum-basics"] and listed[0]["judged"] is False
    assert site.get("/api/katas/einsum-basics").json()["author"] == "ada"
    page = site.get("/katas/einsum-basics").text
    assert "prose kata" in page and "by ada" in page


def test_a_bulk_upload_is_all_or_nothing_and_names_each_problem(site):
    ada = token(site, "ada")
    before = total(site)
    bad = [kata("Fine one"), kata("", difficulty="impossible"), kata("Fine two", topics=[]), kata("fine ONE")]
    answer = site.post("/api/katas/bulk", json=bad, headers=ada)
    assert answer.status_code == 422
    problems = {(p["index"], p["field"]) for p in answer.json()["errors"]}
    assert problems == {(1, "title"), (1, "difficulty"), (2, "topics"), (3, "title")}
    assert total(site) == before  # nothing stored
    good = site.post("/api/katas/bulk", json=[kata("Fine one"), kata("Fine two")], headers=ada)
    assert good.status_code == 201 and good.json()["slugs"] == ["fine-one", "fine-two"]
    assert total(site) == before + 2


def test_an_exported_kata_uploads_back_as_a_new_one(site):
    ada = token(site, "ada")
    site.post("/api/katas", json=kata(), headers=ada)
    exported = site.get("/api/katas/einsum-basics/export", headers=ada).json()
    exported["title"] = "Einsum basics again"
    again = site.post("/api/katas/bulk", json=[exported], headers=ada)
    assert again.status_code == 201, again.text


@pytest.mark.parametrize("body, status, words", [
    (b"{not json", 422, "not JSON"),
    (b'{"title": "x\\u0000y", "content": "c", "difficulty": "easy", "time": "<10 mins", "topics": ["a"]}', 422,
     "null character"),
    (b'{"title": "' + b"t" * 10_000 + b'", "content": "c", "difficulty": "easy", "time": "<10 mins", "topics": ["a"]}',
     422, "at most 200"),
    (b'{"title": "t", "content": "c", "difficulty": "easy", "time": "<10 mins", "topics": ["a"], "hack": 1}', 422,
     "hack"),
    (b"[" + b'"x",' * 600_000 + b'"x"]', 413, "1 MiB"),
])
def test_bad_submissions_get_their_answer_and_store_nothing(site, body, status, words):
    ada = token(site, "ada")
    before = total(site)
    answer = site.post("/api/katas", content=body, headers={**ada, "Content-Type": "application/json"})
    assert answer.status_code == status and words in answer.text
    assert total(site) == before


def test_a_taken_title_is_a_conflict(site):
    ada = token(site, "ada")
    site.post("/api/katas", json=kata(), headers=ada)
    again = site.post("/api/katas", json=kata("EINSUM BASICS"), headers=ada)
    assert again.status_code == 409 and "exists" in again.json()["error"]


def test_only_the_author_deletes_a_kata(site):
    ada, bob = token(site, "ada"), token(site, "bob")
    site.post("/api/katas", json=kata(), headers=ada)
    assert site.delete("/api/katas/einsum-basics", headers=bob).status_code == 403
    assert site.delete("/api/katas/split-heads", headers=ada).status_code == 403  # built-in: nobody's
    assert site.delete("/api/katas/einsum-basics").status_code == 401
    assert site.delete("/api/katas/einsum-basics", headers=ada).status_code == 204
    assert site.get("/api/katas/einsum-basics").status_code == 404


def signed_in_page(site, name):
    site.get("/")
    site.post("/signup", data={"username": name, "password": "long enough", "csrf_token": site.cookies["mlkatas_csrf"]})
    return site.cookies["mlkatas_csrf"]


def test_the_form_keeps_what_was_typed_and_names_the_problem(site):
    csrf = signed_in_page(site, "ada")
    bad = site.post("/katas/new", data={"title": "Mine", "content": "Text", "difficulty": "easy", "time": "<10 mins",
                                         "topics": "", "csrf_token": csrf})
    assert bad.status_code == 422 and "topics" in bad.text and 'value="Mine"' in bad.text
    good = site.post("/katas/new", data={"title": "Mine", "content": "Text", "difficulty": "easy", "time": "<10 mins",
                                          "topics": "einops, attention", "csrf_token": csrf}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/katas/mine"
    assert "Delete this kata" in site.get("/katas/mine").text


def test_a_file_upload_lists_what_it_added(site):
    csrf = signed_in_page(site, "ada")
    import json
    files = {"file": ("katas.json", json.dumps([kata("One"), kata("Two")]), "application/json")}
    page = site.post("/katas/upload", data={"csrf_token": csrf}, files=files)
    assert page.status_code == 200 and "Uploaded 2 katas" in page.text
    broken = site.post("/katas/upload", data={"csrf_token": csrf}, files={"file": ("x.json", "[{", "application/json")})
    assert broken.status_code == 422 and "not JSON" in broken.text
