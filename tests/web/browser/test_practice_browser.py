"""Practising on a kata's page, in Chromium, as a learner does it: the editor holds the starter,
Run and Submit grade it, the verdict says what is wrong (with the grid), hints come one at a time,
a right answer is solved and unlocks the solution and the next kata; drafts survive a reload (in
the browser) and a new device (on the server); a learner's submissions are theirs alone."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import sign_up

GRADED_S = 60_000  # ms: a verdict from the warm judge, on a busy test machine
SHOTS = Path("/tmp/shots")

MISTAKE = '''from einops import rearrange


def split_heads(x, num_heads):
    return rearrange(x, "b n (d h) -> b h n d", h=num_heads)
'''
RIGHT = MISTAKE.replace("(d h)", "(h d)")


def open_editor(page: Page, slug: str = "split-heads"):
    page.goto(f"/katas/{slug}")
    expect(page.locator("#editor[data-editor-ready]")).to_have_count(1)
    return page.get_by_role("textbox", name="Your code")


def replace_code(page: Page, code: str) -> None:
    """Select everything in the editor and paste `code` over it (a paste: no auto-indent)."""
    editor = page.get_by_role("textbox", name="Your code")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)


def verdict(page: Page):
    return page.locator("#verdict")


def shoot(page: Page, name: str) -> None:
    """What the learner sees of the verdict, at desktop and phone width, for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    for label, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        # the verdict's top just under the (desktop: sticky) header, the buttons above it in view
        page.evaluate("window.scrollTo(0, document.getElementById('verdict').getBoundingClientRect().top"
                      " + window.scrollY - 160)")
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_newcomer_fails_learns_from_the_verdict_takes_a_hint_and_solves_split_heads(page: Page):
    editor = open_editor(page)
    expect(editor).to_contain_text("raise NotImplementedError")  # the starter

    page.get_by_role("button", name="Submit").click()
    expect(verdict(page)).to_contain_text("NotImplementedError", timeout=GRADED_S)

    replace_code(page, MISTAKE)
    page.keyboard.press("ControlOrMeta+Enter")  # runs the example
    expect(verdict(page)).to_contain_text("The example only", timeout=GRADED_S)
    expect(verdict(page)).to_contain_text("rearranged")

    page.keyboard.press("ControlOrMeta+Shift+Enter")  # submits
    expect(verdict(page)).not_to_contain_text("The example only", timeout=GRADED_S)
    expect(verdict(page)).to_contain_text("rearranged", timeout=GRADED_S)
    grid = verdict(page).locator(".mlkatas-grids")
    expect(grid).to_be_visible()
    expect(grid).to_contain_text("expected")
    expect(grid).to_contain_text("got")
    shoot(page, "verdict-failed")

    page.get_by_role("button", name="Show a hint").click()
    expect(page.locator("#hints")).to_contain_text("Hint 1 of 2")
    expect(page.locator("#hints")).to_contain_text("two axes glued together")
    expect(page.locator("#hints")).not_to_contain_text("Hint 2 of 2")

    solution = page.locator("#solution")
    expect(solution).to_contain_text("Unlocks when you pass")
    replace_code(page, RIGHT)
    page.get_by_role("button", name="Submit").click()
    expect(verdict(page)).to_contain_text("Solved", timeout=GRADED_S)
    expect(verdict(page)).to_contain_text("PASSED")
    expect(solution).to_contain_text('rearrange(x, "b n (h d) -> b h n d", h=num_heads)')
    expect(page.get_by_role("button", name="Give up and show it")).to_be_hidden()
    next_kata = verdict(page).get_by_role("link").first
    expect(next_kata).to_have_attribute("href", re.compile(r"^/katas/(?!split-heads$)[\w-]+$"))
    shoot(page, "verdict-passed")

    next_kata.click()
    expect(page.locator("#editor[data-editor-ready]")).to_have_count(1)
    expect(page.get_by_role("textbox", name="Your code")).to_contain_text("raise NotImplementedError")


def test_the_draft_survives_a_reload(page: Page):
    open_editor(page, "split-heads")
    replace_code(page, RIGHT + "# my own words\n")
    page.reload()
    expect(open_editor(page, "split-heads")).to_contain_text("# my own words")
    # another kata keeps its own draft
    expect(open_editor(page, "merge-heads")).not_to_contain_text("# my own words")


def test_errors_come_back_in_the_verdict_panel(page: Page):
    open_editor(page)
    replace_code(page, "x" * (64 * 1024 + 1))
    page.get_by_role("button", name="Run example").click()
    expect(verdict(page).get_by_role("alert")).to_contain_text("64", timeout=GRADED_S)


def test_a_learner_loads_a_past_submission_and_no_one_else_can_open_it(page: Page, browser):
    sign_up(page)
    open_editor(page)
    replace_code(page, MISTAKE)
    page.get_by_role("button", name="Submit").click()
    expect(verdict(page)).to_contain_text("rearranged", timeout=GRADED_S)
    history = page.locator("#history")
    load = history.get_by_role("button", name="Load")
    expect(load).to_have_count(1)
    submission_id = load.get_attribute("data-load-submission")

    replace_code(page, "# something else\n")
    load.click()
    expect(page.get_by_role("textbox", name="Your code")).to_contain_text('"b n (d h) -> b h n d"')

    # the server kept the draft: a new device (a fresh browser, same account) opens with it
    replace_code(page, RIGHT + "# from my laptop\n")
    page.wait_for_timeout(1_500)  # the draft goes to the server about a second after typing stops
    cookies = page.context.cookies()
    laptop = browser.new_context(base_url=page.url.split("/katas/")[0])
    laptop.add_cookies([c for c in cookies if c["name"] == "mlkatas_session"])
    other_device = laptop.new_page()
    expect(open_editor(other_device)).to_contain_text("# from my laptop")
    laptop.close()

    stranger = browser.new_context(base_url=page.url.split("/katas/")[0])
    stranger_page = stranger.new_page()
    sign_up(stranger_page)
    answer = stranger_page.request.get(f"/api/submissions/{submission_id}")
    assert answer.status == 404, answer.text()
    assert "def split_heads" not in answer.text()
    panel = stranger_page.request.get(f"/submissions/{submission_id}/panel?wait=0")
    assert "rearranged" not in panel.text() and "def split_heads" not in panel.text()
    stranger.close()


def test_without_javascript_the_textarea_holds_the_starter_and_the_form_still_submits(browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.goto("/katas/split-heads")
    code = page.get_by_role("textbox", name="Your code")
    expect(code).to_be_visible()
    expect(code).to_have_value(re.compile("raise NotImplementedError"))
    code.fill(RIGHT)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("PASSED")).to_be_visible(timeout=GRADED_S)
    context.close()


GUTTER_AND_LINES_JS = """() => [
  [...document.querySelectorAll('#editor .cm-lineNumbers .cm-gutterElement')]
    .filter(e => e.textContent && e.offsetHeight).map(e => Math.round(e.getBoundingClientRect().top)),
  [...document.querySelectorAll('#editor .cm-line')].map(e => Math.round(e.getBoundingClientRect().top)),
]"""


def test_each_line_number_sits_beside_its_line_on_desktop_and_phone(page: Page):
    open_editor(page)
    replace_code(page, MISTAKE)
    for size in ({"width": 390, "height": 844}, {"width": 1280, "height": 900}):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)  # the editor measures again after a resize
        numbers, lines = page.evaluate(GUTTER_AND_LINES_JS)
        assert len(numbers) == len(lines) == MISTAKE.count("\n") + 1
        assert numbers == lines, f"line numbers at {numbers}, lines at {lines} ({size['width']} px wide)"
