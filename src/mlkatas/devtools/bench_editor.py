"""The kata page's first paint with the editor ready, measured in Chromium (issue 11: ≤ 300 ms on
loopback). Each run opens the page in a fresh browser context (an empty cache: a first visit) and
reads the page's own clock: the later of its first contentful paint and the editor script's
"mlkatas:editor-ready" mark, both counted from the start of the navigation."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
READY_JS = """() => {
  const ready = performance.getEntriesByName("mlkatas:editor-ready")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return ready && paint ? Math.max(ready.startTime, paint.startTime) : null;
}"""


def editor_first_paint_ms(base_url: str, slug: str, runs: int) -> list[float]:
    """Milliseconds from navigation start to a painted page with a ready editor, one per run.
    Needs pytest-playwright's `playwright` package and Debian's chromium."""
    from playwright.sync_api import sync_playwright

    url = f"{base_url.rstrip('/')}/katas/{slug}"
    samples: list[float] = []
    with sync_playwright() as playwright:
        # --no-sandbox: Chromium's own sandbox cannot start as root
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector("#editor[data-editor-ready]", timeout=10_000)
                page.wait_for_function(READY_JS, timeout=10_000)
                samples.append(float(page.evaluate(READY_JS)))
                context.close()
        finally:
            browser.close()
    return samples
