"""The site's pages and API on a fresh SQLite file, as a visitor (or a script) uses them."""

from __future__ import annotations

import re

import pytest

from mlkatas.store.models import Kata, KataTopic
from tests.web.conftest import token


def add_community_kata(client, slug, title, description, topics=("einops",)):
    with client.app.state.db.session() as session:
        kata = Kata(slug=slug, title=title, description=description, difficulty="medium", time="<30 mins",
                    topics="\n".join(topics), judged=False, upvotes=0, saves=0, solves=0)
        kata.topic_rows = [KataTopic(topic=t) for t in topics]
        session.add(kata)


def test_the_catalogue_lists_the_built_in_katas_with_their_facts(site, catalog):
    page = site.get("/")
    assert page.status_code == 200
    assert f"{len(catalog.katas)} katas" in page.text
    split = catalog.get("split-heads")
    assert split.title in page.text and 'href="/katas/split-heads"' in page.text
    assert "judged" in page.text and "upvotes" in page.text


def test_every_view_is_a_url_and_the_api_answers_the_same(site):
    html = site.get("/?topic=einops&difficulty=medium&sort=upvotes")
    api = site.get("/api/katas?topic=einops&difficulty=medium&sort=upvotes").json()
    assert html.status_code == 200 and api["per_page"] == 25
    assert api["total"] > 0 and all(k["difficulty"] == "medium" and "einops" in k["topics"] for k in api["items"])
    assert all(f'href="/katas/{k["slug"]}"' in html.text for k in api["items"])
    assert f'{api["total"]} kata' in html.text
    assert set(api["items"][0]) == {"slug", "title", "difficulty", "time", "topics", "created_at", "judged",
                                    "upvotes", "saves", "solves"}


def test_a_kata_page_renders_its_description_with_code_and_math(site):
    add_community_kata(site, "softmax", "Stable softmax", "Compute $e^{x_i}$ over\n\n$$\\sum_j e^{x_j}$$\n\n"
                       "```python\ny = x - x.max()\n```\n")
    page = site.get("/katas/softmax")
    assert page.status_code == 200
    assert "<math" in page.text and "<pre><code" in page.text and "prose kata" in page.text


def test_community_text_cannot_inject_markup(site):
    add_community_kata(site, "evil", "<script>alert(1)</script>", "<img src=x onerror=alert(1)> "
                       "[click](javascript:alert(2)) <iframe src=//x></iframe>")
    page = site.get("/katas/evil")
    assert page.status_code == 200
    tags = re.findall(r"<[a-zA-Z][^>]*>", page.text)  # the elements the browser builds
    assert not [t for t in tags if t.startswith(("<script>", "<img", "<iframe")) or "onerror" in t], tags
    assert not [t for t in tags if "javascript:" in t], tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text  # shown as the text it is


def test_the_rendered_description_is_kept_once_per_version(site):
    add_community_kata(site, "cached", "Cached", "Version one.")
    assert "Version one." in site.get("/katas/cached").text
    with site.app.state.db.session() as session:
        kata = session.query(Kata).filter_by(slug="cached").one()
        assert kata.rendered_html and "Version one." in kata.rendered_html
        kata.description = "Version two."
    assert "Version two." in site.get("/katas/cached").text


@pytest.mark.parametrize("text", ['"', "a*", "-b", "NEAR(a b)", "(", "\\", "x" * 2000, "' OR 1=1 --"])
def test_any_search_text_gets_a_page(site, text):
    assert site.get("/", params={"q": text}).status_code == 200
    assert site.get("/api/katas", params={"q": text}).status_code == 200
    assert site.get("/api/autocomplete", params={"q": text}).status_code == 200


def test_search_and_autocomplete_find_what_is_typed(site):
    found = site.get("/api/katas", params={"q": "pixel shuf"}).json()
    assert {k["slug"] for k in found["items"]} == {"pixel-shuffle", "pixel-unshuffle"}
    offered = site.get("/api/autocomplete", params={"q": "pix"}).json()
    assert len(offered["titles"]) == 2 and all("Pixel" in t for t in offered["titles"])


def test_bad_input_gets_a_clear_answer(site):
    api = site.get("/api/katas", params={"difficulty": "impossible"})
    assert api.status_code == 422 and api.json()["field"] == "difficulty"
    assert "impossible" in api.json()["error"] and "easy, medium, hard" in api.json()["error"]
    page = site.get("/?created=yesterday")
    assert page.status_code == 422 and "this_week" in page.text and "<html" in page.text
    missing = site.get("/katas/no-such-kata")
    assert missing.status_code == 404 and "no-such-kata" in missing.text
    assert site.get("/api/katas/no-such-kata").status_code == 404


def test_assets_come_from_the_package(site):
    css = site.get("/static/site.css")
    assert css.status_code == 200 and "prefers-color-scheme" in css.text
    assert "http" not in site.get("/").text.split("<body")[0].replace("http-equiv", "")  # no CDN in the head


def test_rows_and_pages_do_not_repeat_the_title(site, catalog):
    title = catalog.get("split-heads").title
    page = site.get("/katas/split-heads").text
    assert page.count(f">{title}<") == 1  # the page heading only: the README's own "# title" is dropped
    row = site.get("/", params={"q": "splitting heads"}).text
    summary = row.split('class="summary">')[1].split("</p>")[0]
    assert not summary.startswith(title) and len(summary) <= 200


def test_a_long_catalogue_shows_a_pager_around_the_current_page(site):
    for n in range(230):  # with the built-in katas: 10 pages of 25
        add_community_kata(site, f"k{n}", f"Kata number {n}", "Some text.", topics=(f"t{n % 5}",))
    pager = re.search(r'<nav class="pages" aria-label="Pages">(.*?)</nav>', site.get("/?page=6").text, re.S).group(1)
    numbers = re.findall(r">(\d+)</(?:a|span)>", pager)
    # the first, the last, two on each side; a gap of one page shows that page rather than "…"
    assert numbers == ["1", "4", "5", "6", "7", "8", "9", "10"]
    assert pager.count("…") == 1
    assert 'aria-current="page">6<' in pager
    assert 'href="/?page=5">Previous' in pager and 'href="/?page=7">Next' in pager
    first = re.search(r'<nav class="pages".*?</nav>', site.get("/").text, re.S).group(0)
    assert "Previous" not in first and re.findall(r">(\d+)</(?:a|span)>", first) == ["1", "2", "3", "10"]
    assert "Next" not in re.search(r'<nav class="pages".*?</nav>', site.get("/?page=10").text, re.S).group(0)
    filtered = re.search(r'<nav class="pages".*?</nav>', site.get("/?topic=t1").text, re.S).group(0)
    assert 'href="/?topic=t1&amp;page=2">2<' in filtered  # 46 katas: 2 pages, and the filter stays


def test_a_topic_chip_on_a_row_keeps_the_other_filters(site):
    add_community_kata(site, "moe-one", "Routing tokens", "Text.", topics=("mixture-of-experts",))
    page = site.get("/?difficulty=medium&sort=upvotes").text
    assert 'href="/?difficulty=medium&amp;sort=upvotes&amp;topic=mixture-of-experts"' in page


def test_a_kata_page_is_titled_by_its_kata(site, catalog):
    page = site.get("/katas/split-heads").text
    assert re.search(r"<title>(.*?)</title>", page, re.S).group(1) == f"{catalog.get('split-heads').title} · mlkatas"
    assert page.count('src="/static/copy.js?v=') == 1


def test_the_catalogue_shows_a_count_as_soon_as_it_changes(site):
    add_community_kata(site, "fresh", "A fresh kata", "Text.")

    def upvotes_shown() -> str:
        row = re.search(r'<li class="kata-row">(?:(?!</li>).)*?/katas/fresh".*?</li>', site.get("/").text, re.S)
        return re.search(r"<dt>upvotes</dt><dd>(\d+)</dd>", row.group(0)).group(1)

    assert upvotes_shown() == "0"  # the row is now rendered and kept
    assert site.put("/api/katas/fresh/upvote", headers=token(site)).status_code == 200
    assert upvotes_shown() == "1"
