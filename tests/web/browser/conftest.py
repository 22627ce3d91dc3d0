"""The real site in a real browser: `mlkatas serve` on a free loopback port (one server for the
run, over a fresh database), driven by pytest-playwright with Debian's Chromium (Playwright's own
browser download is not available here; scripts/install-system-deps.sh installs chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests._practice import base_env
from tests.web.test_serve import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") or os.geteuid() == 0:  # the setup installs it there: missing is a failure, not a skip
        raise RuntimeError("Chromium is not installed at /usr/bin/chromium: scripts/install-system-deps.sh should have")
    pytest.skip("Chromium is not installed (run scripts/install-system-deps.sh as root)", allow_module_level=True)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The base URL of a server started as a user starts it, stopped at the end of the run."""
    folder = tmp_path_factory.mktemp("site")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mlkatas", "serve", "--port", str(port), "--db", str(folder / "site.db")],
        cwd=folder, env=base_env(), stdout=(folder / "server.log").open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "server.log").read_text(errors="replace")
                    pytest.fail(f"the site did not start within 60 s:\n{log[-3000:]}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="session")
def base_url(site):
    """pytest-playwright resolves page.goto("/...") against this."""
    return site


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # --no-sandbox: Chromium's own sandbox cannot start as root (CI and this machine)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


def unique(prefix: str) -> str:
    """A name no other test of the run uses (they share one database)."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def sign_up(page, username: str | None = None, password: str = "correct horse battery") -> str:
    """Create an account through the sign-up form, as a newcomer does; returns the username."""
    username = username or unique("learner_")
    page.goto("/signup")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("navigation", name="Account").get_by_text(username).wait_for()
    return username


def count_in(name: str) -> re.Pattern:
    """A toggle button's accessible name, "Upvote 3": the label then its count."""
    return re.compile(rf"^{name} \d+$")
