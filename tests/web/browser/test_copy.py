"""Copy buttons: code blocks of a description, and a kata as JSON, to the clipboard."""

import json

from playwright.sync_api import Page, expect


def test_copy_a_code_block_and_the_kata_as_json(page: Page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/katas/split-heads")
    page.get_by_role("button", name="Copy code").first.click()
    expect(page.get_by_role("button", name="Copy code").first).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "split_heads(x, 12)" in copied and "Copy" not in copied
    page.get_by_role("button", name="Copy as JSON").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    exported = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert exported["title"] == "Multi-Head Attention: Splitting Heads" and "content" in exported
