"""The practice fragments a judged kata's page swaps in: a newcomer's path from the starter to a
solve, hints, giving up, history, and errors drawn as a panel."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.test_accounts import csrf
from tests.web.test_practice_api import WRONG_DH, practice_site  # noqa: F401 - the fixture

SLUG = "split-heads"


def signed_in(site, name: str = "cyd") -> str:
    token = csrf(site)
    site.post("/signup", data={"username": name, "password": "a good password", "csrf_token": token})
    return csrf(site)


def solution_line(kata) -> str:
    """A line of the reference that the starter does not have, as the page shows it (escaped)."""
    return html.escape(next(line for line in kata.solution.splitlines() if line.strip()
                            and line not in kata.starter and "import" not in line).strip())


def post(site, path: str, token: str, **form):
    return site.post(path, data={**form, "csrf_token": token})


def test_a_newcomer_goes_from_the_starter_to_a_solve(practice_site, catalog):  # noqa: F811
    token = signed_in(practice_site)
    page = practice_site.get(f"/katas/{SLUG}").text
    kata = catalog.get(SLUG)
    assert "Submissions run without the strict sandbox" in page  # this site's grader runs --sandbox local

    starter = post(practice_site, f"/katas/{SLUG}/submit", token, source=kata.starter)
    assert starter.status_code == 200 and "NotImplementedError" in starter.text

    wrong = post(practice_site, f"/katas/{SLUG}/submit", token, source=WRONG_DH)
    assert "rearranged" in wrong.text and "mlkatas-grids" in wrong.text  # the expected-versus-got grid
    assert wrong.headers["HX-Trigger"] == "mlkatas:graded"

    hint = post(practice_site, f"/katas/{SLUG}/hint", token)
    assert hint.text.count('class="hint-tier"') == 1 and f"Hint 1 of {len(kata.hints)}" in hint.text

    right = post(practice_site, f"/katas/{SLUG}/submit", token, source=kata.solution)
    assert "Solved!" in right.text and "PASSED" in right.text
    nxt = re.search(r'Next: <a href="/katas/([^"]+)"', right.text)
    assert nxt and nxt.group(1) != SLUG
    assert 'id="solution" hx-swap-oob="true"' in right.text and solution_line(kata) in right.text
    assert 'id="actions" hx-swap-oob="true"' in right.text and "Solved" in right.text  # the solve count

    again = practice_site.get(f"/katas/{SLUG}").text
    assert solution_line(kata) not in page and solution_line(kata) in again  # the solution stays unlocked
    history = practice_site.get(f"/katas/{SLUG}/history").text
    assert history.count("data-load-submission=") == 3 and history.index("passed") < history.index("failed")


def test_run_shows_the_example_verdict_only(practice_site, catalog):  # noqa: F811
    token = csrf(practice_site)
    answer = post(practice_site, f"/katas/{SLUG}/run", token, source=catalog.get(SLUG).solution)
    assert "The example only" in answer.text and "PASSED" in answer.text and "Solved" not in answer.text


def test_the_solution_is_locked_until_a_give_up_which_is_recorded(practice_site, catalog):  # noqa: F811
    token, line = signed_in(practice_site), solution_line(catalog.get(SLUG))
    assert line not in practice_site.get(f"/katas/{SLUG}").text
    given = post(practice_site, f"/katas/{SLUG}/give-up", token)
    assert given.text.startswith('<div id="solution">') and line in given.text
    assert line in practice_site.get(f"/katas/{SLUG}").text


def test_a_hint_past_the_last_stays_at_the_last(practice_site, catalog):  # noqa: F811
    token = csrf(practice_site)
    total = len(catalog.get(SLUG).hints)
    for _ in range(total + 2):
        shown = post(practice_site, f"/katas/{SLUG}/hint", token)
    assert shown.text.count('class="hint-tier"') == total and "last hint" in shown.text


@pytest.mark.parametrize("source, status, words", [
    ("x" * (64 * 1024 + 1), 413, "64 KB"),
    ("", 422, "empty"),
    ("x = 1\x00", 422, "null byte"),
])
def test_errors_come_back_as_a_panel(practice_site, source, status, words):  # noqa: F811
    answer = post(practice_site, f"/katas/{SLUG}/submit", csrf(practice_site), source=source)
    assert answer.status_code == status and 'role="alert"' in answer.text and words in answer.text


def test_a_panel_of_another_learners_submission_is_not_found(practice_site):  # noqa: F811
    token = signed_in(practice_site, "cyd")
    post(practice_site, f"/katas/{SLUG}/submit", token, source=WRONG_DH)
    history = practice_site.get(f"/katas/{SLUG}/history").text
    mine = re.search(r'data-load-submission="([^"]+)"', history).group(1)
    practice_site.post("/signout", data={"csrf_token": token})
    signed_in(practice_site, "dee")
    assert practice_site.get(f"/submissions/{mine}/panel?wait=0").status_code == 404


def test_a_prose_kata_has_no_practice_section(practice_site):  # noqa: F811
    from tests.web.conftest import token as api_token

    made = practice_site.post("/api/katas", headers=api_token(practice_site, "eve"), json={
        "title": "Words only", "content": "Nothing to grade.", "difficulty": "easy", "time": "<10 mins",
        "topics": ["prose"]}).json()
    assert 'id="editor"' not in practice_site.get(f"/katas/{made['slug']}").text
