"""The catalogue and a kata page (signed in, with counts) at desktop and phone widths: nothing runs
off the side, and screenshots for a person to look at (into $MLKATAS_SCREENS, else the test's folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import count_in, sign_up

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def assert_fits(page: Page) -> None:
    """No sideways scrolling: the page is as wide as the window."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the {page.viewport_size['width']}px window"


@pytest.mark.parametrize("screen", WIDTHS)
def test_catalogue_and_kata_page_fit_the_screen(page: Page, screen: str, tmp_path):
    folder = Path(os.environ.get("MLKATAS_SCREENS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    width, height = WIDTHS[screen]
    page.set_viewport_size({"width": width, "height": height})
    sign_up(page)

    page.goto("/?topic=einops")
    expect(page.get_by_role("heading", name="Pixel Shuffle: Depth to Space")).to_be_visible()
    assert_fits(page)
    # on a phone the katas come before the filters: the first kata is on the first screen
    assert page.get_by_role("heading", name="Pixel Shuffle: Depth to Space").bounding_box()["y"] < height or \
        page.get_by_role("main").get_by_role("heading", level=3).first.bounding_box()["y"] < height
    page.screenshot(path=folder / f"catalogue-{screen}.png")
    page.screenshot(path=folder / f"catalogue-{screen}-full.png", full_page=True)

    page.goto("/katas/pixel-shuffle")
    page.get_by_role("button", name=count_in("Save")).click()
    expect(page.get_by_role("button", name=count_in("Save"))).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Private note").fill("rearrange, then check the order of r1 and r2")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    assert_fits(page)
    page.screenshot(path=folder / f"kata-{screen}.png")
    page.screenshot(path=folder / f"kata-{screen}-full.png", full_page=True)

    page.goto("/")
    page.get_by_role("combobox", name="Search katas").press_sequentially("mix", delay=40)
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    assert_fits(page)
    page.screenshot(path=folder / f"autocomplete-{screen}.png")
