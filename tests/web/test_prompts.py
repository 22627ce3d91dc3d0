"""The prompt builder, through the API and the pages: save, edit, fork, delete, compile with my own
upvotes, saves and completions; nobody else ever sees or changes my prompts; bad input is named
and changes nothing."""

from __future__ import annotations

import json
import re

import pytest

from mlkatas.store.prompts import DEFAULT_NAME
from tests.web.conftest import token


def new_prompt(site, who, name="Mine", template="Difficulties: {{difficulties}}"):
    answer = site.post("/api/prompts", json={"name": name, "template": template}, headers=who)
    assert answer.status_code == 201, answer.text
    return answer.json()


def names(site, who):
    return [p["name"] for p in site.get("/api/prompts", headers=who).json()["items"]]


def prose_kata(site, who, title):
    made = site.post("/api/katas", json={"title": title, "content": "Do it.", "difficulty": "hard",
                                         "time": ">1 hr", "topics": ["einsum"]}, headers=who)
    assert made.status_code == 201, made.text
    return made.json()["slug"]


def compiled(site, who, prompt_id):
    answer = site.get(f"/api/prompts/{prompt_id}/compiled", headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json()["text"]


# --- the API ---

def test_save_read_edit_and_delete_a_prompt(site):
    ada = token(site, "ada")
    made = new_prompt(site, ada)
    assert made["name"] == "Mine" and made["forked_from"] is None
    assert site.get(f"/api/prompts/{made['id']}", headers=ada).json()["template"] == "Difficulties: {{difficulties}}"
    changed = site.put(f"/api/prompts/{made['id']}", json={"name": "Renamed", "template": "Times: {{times}}"},
                       headers=ada)
    assert changed.status_code == 200 and changed.json()["name"] == "Renamed"
    assert names(site, ada) == ["Renamed"]
    assert compiled(site, ada, made["id"]) == "Times: <10 mins, <30 mins, <1 hr, >1 hr"
    assert site.delete(f"/api/prompts/{made['id']}", headers=ada).status_code == 204
    assert site.get(f"/api/prompts/{made['id']}", headers=ada).status_code == 404
    assert names(site, ada) == []


def test_compiling_fills_in_my_own_recent_katas_newest_first(site):
    ada, bob = token(site, "ada"), token(site, "bob")
    katas = site.get("/api/katas", params={"sort": "newest"}).json()["items"]
    by_slug = {k["slug"]: k for k in katas}

    def line(slug):
        k = by_slug[slug]
        return f"- {k['title']} ({k['difficulty']}, {k['time']}; topics: {', '.join(k['topics'])})"

    upvoted = [k["slug"] for k in katas[:12]]
    for slug in upvoted:
        assert site.put(f"/api/katas/{slug}/upvote", headers=ada).status_code == 200
    site.put(f"/api/katas/{upvoted[0]}/save", headers=ada)
    done = prose_kata(site, ada, "Einsum by hand")
    site.put(f"/api/katas/{done}/complete", headers=ada)
    site.put(f"/api/katas/{katas[-1]['slug']}/save", headers=bob)  # bob's saves are not ada's

    template = "UP\n{{last_upvoted}}\nSAVED\n{{ last_saved }}\nDONE\n{{last_completed}}\nEND"
    text = compiled(site, ada, new_prompt(site, ada, template=template)["id"])
    up, saved, done_part = re.fullmatch(r"UP\n(.*)\nSAVED\n(.*)\nDONE\n(.*)\nEND", text, re.S).groups()
    assert up.splitlines() == [line(s) for s in reversed(upvoted[2:])]  # the last 10, newest first
    assert saved.splitlines() == [line(upvoted[0])]
    assert done_part == "- Einsum by hand (hard, >1 hr; topics: einsum)"
    assert by_slug[katas[-1]["slug"]]["title"] not in text

    # bob has done nothing: his own compile says so
    assert compiled(site, bob, new_prompt(site, bob, template="{{last_upvoted}}")["id"]) == "(none yet)"


def test_the_compiled_schema_example_uploads_as_it_is(site):
    ada = token(site, "ada")
    text = compiled(site, ada, new_prompt(site, ada, template="Format:\n{{kata_schema}}")["id"])
    schema_block, example_block = re.findall(r"```json\n(.*?)\n```", text, re.S)
    schema = json.loads(schema_block)
    assert schema["items"]["properties"]["difficulty"]["enum"] == ["easy", "medium", "hard"]
    example = json.loads(example_block)
    upload = site.post("/api/katas/bulk", json=example, headers=ada)
    assert upload.status_code == 201, upload.text


def test_text_from_a_kata_is_never_taken_for_a_placeholder(site):
    ada = token(site, "ada")
    slug = prose_kata(site, ada, "Braces {{kata_schema}} in a title")
    site.put(f"/api/katas/{slug}/upvote", headers=ada)
    text = compiled(site, ada, new_prompt(site, ada, template="{{last_upvoted}}")["id"])
    assert text.startswith("- Braces {{kata_schema}} in a title (hard")
    assert "JSON Schema" not in text


def test_forking_copies_a_prompt_to_change_freely(site):
    ada = token(site, "ada")
    source = new_prompt(site, ada, name="Base")
    fork = site.post(f"/api/prompts/{source['id']}/fork", headers=ada)
    assert fork.status_code == 201
    fork = fork.json()
    assert (fork["name"], fork["template"], fork["forked_from"]) == ("Base (copy)", source["template"], source["id"])
    again = site.post(f"/api/prompts/{source['id']}/fork", headers=ada).json()
    assert again["name"] == "Base (copy 2)"
    named = site.post(f"/api/prompts/{source['id']}/fork", json={"name": "Attention only"}, headers=ada)
    assert named.status_code == 201 and named.json()["name"] == "Attention only"
    site.put(f"/api/prompts/{fork['id']}", json={"name": "Base (copy)", "template": "{{times}}"}, headers=ada)
    assert site.get(f"/api/prompts/{source['id']}", headers=ada).json()["template"] == source["template"]
    taken = site.post(f"/api/prompts/{source['id']}/fork", json={"name": "Base"}, headers=ada)
    assert taken.status_code == 409 and taken.json()["field"] == "name"


def test_another_user_cannot_read_or_change_my_prompts(site):
    ada, bob = token(site, "ada"), token(site, "bob")
    mine = new_prompt(site, ada, template="secret plan {{times}}")
    url = f"/api/prompts/{mine['id']}"
    for answer in (site.get(url, headers=bob), site.get(f"{url}/compiled", headers=bob),
                   site.put(url, json={"name": "taken over", "template": "x"}, headers=bob),
                   site.post(f"{url}/fork", headers=bob), site.delete(url, headers=bob)):
        assert answer.status_code == 404, answer.text
        assert "secret" not in answer.text
    assert names(site, bob) == []
    assert site.get(url, headers=ada).json()["template"] == "secret plan {{times}}"
    assert names(site, ada) == ["Mine"]
    # the same name is free for another person
    assert new_prompt(site, bob)["name"] == "Mine"


def test_without_an_account_the_prompts_answer_401(site):
    assert site.get("/api/prompts").status_code == 401
    assert site.post("/api/prompts", json={"name": "a", "template": "b"}).status_code == 401
    assert site.get("/prompts").status_code == 401


@pytest.mark.parametrize("body, field, words", [
    ({"name": "", "template": "t"}, "name", "needs a name"),
    ({"name": "n" * 121, "template": "t"}, "name", "at most 120"),
    ({"name": "a\x00b", "template": "t"}, "name", "null character"),
    ({"name": 7, "template": "t"}, "name", "needs a name"),
    ({"name": "n"}, "template", "required"),
    ({"name": "n", "template": "t" * 20_001}, "template", "at most 20,000"),
    ({"name": "n", "template": "t\x00"}, "template", "null character"),
    ({"name": "n", "template": "{{last_upvotes}} and {{ Times }}"}, "template",
     "unknown placeholders {{last_upvotes}}, {{Times}}"),
    ({"name": "n", "template": "t", "owner": "bob"}, "owner", "not a field"),
    (["n", "t"], "body", "JSON object"),
])
def test_bad_input_is_named_and_stores_nothing(site, body, field, words):
    ada = token(site, "ada")
    answer = site.post("/api/prompts", json=body, headers=ada)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field and words in answer.json()["error"]
    assert names(site, ada) == []
    # the same change to a stored prompt leaves it as it was
    kept = new_prompt(site, ada)
    if isinstance(body, dict) and "name" in body:
        changed = site.put(f"/api/prompts/{kept['id']}", json=body, headers=ada)
        assert changed.status_code == 422 and changed.json()["field"] == field
    assert site.get(f"/api/prompts/{kept['id']}", headers=ada).json() == kept


def test_the_limits_themselves_are_accepted(site):
    ada = token(site, "ada")
    assert new_prompt(site, ada, name="n" * 120, template="t" * 20_000)["name"] == "n" * 120


def test_malformed_json_a_taken_name_and_odd_ids(site):
    ada = token(site, "ada")
    broken = site.post("/api/prompts", content=b'{"name": ', headers={**ada, "Content-Type": "application/json"})
    assert broken.status_code == 422 and "not JSON" in broken.json()["error"]
    new_prompt(site, ada, name="Mine")
    taken = site.post("/api/prompts", json={"name": " Mine ", "template": "x"}, headers=ada)
    assert taken.status_code == 409 and taken.json()["field"] == "name"
    for odd in ("abc", "-1", "99999999999999999999999", "1.5"):
        assert site.get(f"/api/prompts/{odd}", headers=ada).status_code == 404
    assert names(site, ada) == ["Mine"]


# --- the pages ---

def signed_in_page(site, name):
    site.get("/")
    site.post("/signup", data={"username": name, "password": "long enough", "csrf_token": site.cookies["mlkatas_csrf"]})
    return site.cookies["mlkatas_csrf"]


def test_a_new_user_saves_the_default_prompt_and_copies_it_compiled(site):
    csrf = signed_in_page(site, "ada")
    slug = site.get("/api/katas").json()["items"][0]["slug"]
    title = site.get(f"/api/katas/{slug}").json()["title"]
    site.post(f"/katas/{slug}/actions/upvote", data={"on": "1", "csrf_token": csrf})

    assert "You have no prompts yet" in site.get("/prompts").text
    editor = site.get("/prompts/new").text
    assert f'value="{DEFAULT_NAME}"' in editor and "{{last_upvoted}}" in editor and "Insert a placeholder" in editor
    template = re.search(r'<textarea id="template"[^>]*>(.*?)</textarea>', editor, re.S).group(1)
    saved = site.post("/prompts/new", data={"name": DEFAULT_NAME, "template": template, "csrf_token": csrf},
                      follow_redirects=False)
    assert saved.status_code == 303
    page = site.get(saved.headers["location"])
    assert page.status_code == 200
    assert f"- {title} (" in page.text and "{{" not in page.text.split('id="compiled"')[1]
    assert ">Copy</button>" in page.text and "/static/prompts.js" in page.text
    assert DEFAULT_NAME in site.get("/prompts").text
    assert "navigator.clipboard" in site.get("/static/prompts.js").text


def test_edit_fork_and_delete_in_the_pages(site):
    csrf = signed_in_page(site, "ada")
    site.post("/prompts/new", data={"name": "Base", "template": "{{times}}", "csrf_token": csrf})
    [base] = site.get("/api/prompts").json()["items"]

    bad = site.post(f"/prompts/{base['id']}/edit", data={"name": "", "template": "kept {{times}}", "csrf_token": csrf})
    assert bad.status_code == 422 and "needs a name" in bad.text and "kept {{times}}" in bad.text
    unknown = site.post(f"/prompts/{base['id']}/edit", data={"name": "Base", "template": "{{nope}}",
                                                            "csrf_token": csrf})
    assert unknown.status_code == 422 and "{{nope}}" in unknown.text
    good = site.post(f"/prompts/{base['id']}/edit", data={"name": "Base", "template": "line\r\n{{difficulties}}",
                                                         "csrf_token": csrf}, follow_redirects=False)
    assert good.status_code == 303
    assert site.get(f"/api/prompts/{base['id']}").json()["template"] == "line\n{{difficulties}}"

    fork = site.post(f"/prompts/{base['id']}/fork", data={"csrf_token": csrf}, follow_redirects=False)
    assert fork.status_code == 303 and fork.headers["location"].endswith("/edit")
    assert 'value="Base (copy)"' in site.get(fork.headers["location"]).text

    gone = site.post(f"/prompts/{base['id']}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/prompts"
    listing = site.get("/prompts").text
    assert "Base (copy)" in listing and f"/prompts/{base['id']}/edit" not in listing


def test_a_page_request_without_the_csrf_token_changes_nothing(site):
    csrf = signed_in_page(site, "ada")
    site.post("/prompts/new", data={"name": "Base", "template": "{{times}}", "csrf_token": csrf})
    [base] = site.get("/api/prompts").json()["items"]
    assert site.post(f"/prompts/{base['id']}/delete").status_code == 403
    assert site.post("/prompts/new", data={"name": "Other", "template": "x"}).status_code == 403
    assert [p["name"] for p in site.get("/api/prompts").json()["items"]] == ["Base"]


def test_another_users_prompt_pages_are_not_found(site):
    ada = token(site, "ada")
    mine = new_prompt(site, ada, name="Ada's secret")
    csrf = signed_in_page(site, "bob")
    for answer in (site.get(f"/prompts/{mine['id']}"), site.get(f"/prompts/{mine['id']}/edit"),
                   site.post(f"/prompts/{mine['id']}/edit", data={"name": "x", "template": "y", "csrf_token": csrf}),
                   site.post(f"/prompts/{mine['id']}/fork", data={"csrf_token": csrf}),
                   site.post(f"/prompts/{mine['id']}/delete", data={"csrf_token": csrf})):
        assert answer.status_code == 404 and "Ada&#39;s secret" not in answer.text and "Ada's secret" not in answer.text
    assert names(site, ada) == ["Ada's secret"]


def test_markup_in_a_prompt_is_shown_as_text(site):
    csrf = signed_in_page(site, "ada")
    saved = site.post("/prompts/new", data={"name": "<script>alert(1)</script>",
                                            "template": "</textarea><script>alert(2)</script>", "csrf_token": csrf},
                      follow_redirects=False)
    assert saved.status_code == 303
    for page in (site.get("/prompts").text, site.get(saved.headers["location"]).text,
                 site.get(saved.headers["location"] + "/edit").text):
        assert "<script>alert" not in page and "&lt;script&gt;alert(" in page


def test_deleting_my_account_deletes_my_prompts(site):
    ada = token(site, "ada")
    new_prompt(site, ada)
    assert site.delete("/api/me", headers=ada).status_code in (200, 204)
    assert names(site, token(site, "ada")) == []  # a new account of the same name starts empty
