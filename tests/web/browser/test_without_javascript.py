"""With JavaScript off the site still works where a plain form can do the job: search, sign up,
upvote (the page reloads with the new count), the note, submitting a kata, signing out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import count_in, sign_up, unique


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "java_script_enabled": False}


def test_the_plain_forms_work_without_javascript(page: Page):
    page.goto("/")
    search = page.get_by_role("combobox", name="Search katas")
    search.fill("pixel")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=pixel"))
    expect(page.get_by_role("heading", name="Pixel Shuffle: Depth to Space")).to_be_visible()

    me = sign_up(page)
    page.get_by_role("link", name="Pixel Unshuffle: Space to Depth").click()
    upvotes = int(page.get_by_role("button", name=count_in("Upvote")).inner_text().split()[-1])
    page.get_by_role("button", name=count_in("Upvote")).click()
    expect(page.get_by_role("button", name=f"Upvote {upvotes + 1}")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Private note").fill("no JS needed")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_label("Private note")).to_have_value("no JS needed")

    page.get_by_role("link", name="Submit a kata").click()
    title = unique("Plain form kata ")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Reverse the last axis.")
    page.get_by_label("Topics (comma separated, 1 to 5)").fill("flip")
    page.get_by_role("button", name="Submit kata").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Account").get_by_text(me)).to_have_count(0)
