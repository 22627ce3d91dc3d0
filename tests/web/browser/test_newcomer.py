"""A newcomer's visit, in Chromium, step by step as a person does it: browse, filter, search (with
the suggestions under the box), open a kata, sign up, upvote and save, keep a note, submit a kata,
upload two, export one, sign out."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import count_in, sign_up, unique

SHUFFLE = "Pixel Shuffle: Depth to Space"


def rows(page: Page):
    return page.get_by_role("main").get_by_role("listitem").filter(has=page.get_by_role("heading"))


def test_browse_filter_by_topic_and_created_then_search(page: Page):
    page.goto("/")
    expect(page.get_by_role("heading", name=SHUFFLE)).to_be_visible()
    all_katas = int(re.match(r"\d+", page.get_by_text(re.compile(r"^\d+ katas?$")).inner_text()).group())
    assert all_katas >= 19  # the built-in pack, at least

    filters = page.get_by_role("complementary", name="Filters")
    filters.get_by_role("link", name="mixture-of-experts", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]topic=mixture-of-experts"))
    expect(filters.get_by_role("link", name="mixture-of-experts", exact=True)).to_have_attribute("aria-current", "true")
    expect(rows(page)).not_to_have_count(0)
    for row in rows(page).all():
        expect(row.get_by_role("link", name="mixture-of-experts", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=SHUFFLE)).to_have_count(0)

    # created combines with the topic (the seed listing's ?topic=...&created=this_year)
    filters.get_by_role("link", name="This year").click()
    expect(page).to_have_url(re.compile(r"topic=mixture-of-experts.*created=this_year|created=this_year.*topic="))
    expect(rows(page)).not_to_have_count(0)
    # clicking an active filter again removes it, the other stays
    filters.get_by_role("link", name="mixture-of-experts", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?created=this_year$"))
    expect(page.get_by_role("heading", name=SHUFFLE)).to_be_visible()

    search = page.get_by_role("combobox", name="Search katas")
    search.fill("pixel shuffle")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=pixel\+shuffle"))
    expect(page.get_by_text("matching “pixel shuffle”")).to_be_visible()
    expect(rows(page).first.get_by_role("heading")).to_have_text(SHUFFLE)
    expect(search).to_have_value("pixel shuffle")

    # any text is a search, never an error page
    search.fill('"( NEAR -*')
    search.press("Enter")
    expect(page.get_by_text("No kata matches this view")).to_be_visible()


def test_search_suggests_titles_and_topics_as_you_type_and_the_keyboard_picks_one(page: Page):
    page.goto("/")
    search = page.get_by_role("combobox", name="Search katas")
    suggestions = page.get_by_role("listbox", name="Suggestions")
    expect(suggestions).to_be_hidden()
    expect(search).to_have_attribute("aria-expanded", "false")

    search.press_sequentially("pix", delay=40)
    expect(suggestions.get_by_role("option", name=SHUFFLE)).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="suggestion")).to_have_text(re.compile(r"^\d+ suggestions?$"))

    # Escape closes the list and leaves the text; typing on opens it again
    search.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(search).to_have_value("pix")
    search.press_sequentially("el s", delay=40)
    expect(suggestions.get_by_role("option", name=SHUFFLE)).to_be_visible()

    # arrows move through the options (the box keeps focus and points at the active one)
    search.press("ArrowDown")
    first = suggestions.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(search).to_be_focused()
    search.press("ArrowUp")  # from the first, up wraps to the last
    expect(suggestions.get_by_role("option").last).to_have_attribute("aria-selected", "true")
    search.press("ArrowDown")
    chosen = suggestions.get_by_role("option", selected=True).inner_text()
    search.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen)


def test_a_topic_suggestion_opens_that_topic(page: Page):
    page.goto("/")
    page.get_by_role("combobox", name="Search katas").press_sequentially("eino", delay=40)
    page.get_by_role("listbox", name="Suggestions").get_by_role("option", name="einops", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?topic=einops$"))
    expect(page.get_by_role("complementary", name="Filters").get_by_role("link", name="einops", exact=True)) \
        .to_have_attribute("aria-current", "true")


def test_a_newcomer_signs_up_upvotes_saves_and_keeps_a_note(page: Page):
    page.goto("/")
    page.get_by_role("link", name=SHUFFLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SHUFFLE)
    expect(page.get_by_role("button", name=count_in("Upvote"))).to_be_disabled()  # anonymous: sign in first
    expect(page.get_by_text("to upvote, save and keep notes")).to_be_visible()

    sign_up(page)
    page.get_by_role("link", name=SHUFFLE).click()
    upvotes = int(page.get_by_role("button", name=count_in("Upvote")).inner_text().split()[-1])
    saves = int(page.get_by_role("button", name=count_in("Save")).inner_text().split()[-1])
    page.evaluate("window.stillThisPage = true")  # gone if the page reloads

    page.get_by_role("button", name=count_in("Upvote")).click()
    expect(page.get_by_role("button", name=f"Upvote {upvotes + 1}")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name=count_in("Save")).click()
    expect(page.get_by_role("button", name=f"Save {saves + 1}")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.stillThisPage === true"), "the counts changed by reloading the page, not in place"

    page.get_by_label("Private note").fill("Try rearrange with (c r1 r2) first.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    assert page.evaluate("window.stillThisPage === true")

    page.reload()
    expect(page.get_by_label("Private note")).to_have_value("Try rearrange with (c r1 r2) first.")
    expect(page.get_by_role("button", name=f"Upvote {upvotes + 1}")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name=f"Save {saves + 1}")).to_have_attribute("aria-pressed", "true")

    # a second press takes the upvote back
    page.get_by_role("button", name=count_in("Upvote")).click()
    expect(page.get_by_role("button", name=f"Upvote {upvotes}")).to_have_attribute("aria-pressed", "false")


def test_submit_a_kata_upload_two_export_one_and_sign_out(page: Page):
    me = sign_up(page)
    page.get_by_role("link", name="Submit a kata").click()
    title = unique("Transpose a batch of matrices ")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Swap the last two axes of `x` of shape `(b, n, m)`:\n\n$y_{bij} = x_{bji}$")
    page.get_by_label("Difficulty").select_option("easy")
    page.get_by_label("Time").select_option("<10 mins")
    page.get_by_label("Topics (comma separated, 1 to 5)").fill("einops, transpose")
    page.get_by_role("button", name="Submit kata").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("prose kata")).to_be_visible()
    expect(page.get_by_text(f"by {me}")).to_be_visible()
    expect(page.locator(".description math")).to_have_count(1)  # the formula rendered, not left as $...$

    page.get_by_role("link", name="Submit a kata").click()
    two = [{"title": unique(f"Uploaded kata {i} "), "content": f"Kata number {i}.", "difficulty": "medium",
            "time": "<30 mins", "topics": ["einops", "upload"]} for i in (1, 2)]
    page.get_by_label("JSON file").set_input_files(
        files=[{"name": "katas.json", "mimeType": "application/json", "buffer": json.dumps(two).encode()}])
    page.get_by_role("button", name="Upload").click()
    uploaded = page.get_by_role("status").filter(has_text="Uploaded")
    expect(uploaded).to_contain_text("Uploaded 2 katas")
    expect(uploaded.get_by_role("link", name=two[0]["title"])).to_be_visible()
    uploaded.get_by_role("link", name=two[1]["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(two[1]["title"])

    with page.expect_response(re.compile(r"/export$")) as exported:
        page.get_by_role("link", name="Export as JSON").click()
    data = exported.value.json()
    fields = ("title", "content", "difficulty", "time", "topics", "author")
    assert {k: data[k] for k in fields} == {**two[1], "author": me}
    expect(page.get_by_text(two[1]["title"])).to_be_visible()  # the browser shows what it got

    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="Sign in")).to_be_visible()
    expect(account.get_by_text(me)).to_have_count(0)
    expect(page.get_by_role("link", name="Submit a kata")).to_have_count(0)
