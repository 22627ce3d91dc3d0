"""The editor bundle shipped in the package is what its sources build, and the kata page's practice
section hands the editor what it needs.

The bundle's first line carries the sha256 of its inputs (everything under frontend/editor but
node_modules, and scripts/build-editor.sh), hashed as the script hashes them: the sha256sum line of
each file, in byte order of the paths, hashed again."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

import mlkatas.web
from mlkatas.web.practice_view import HistoryRow, PracticeContext

ROOT = Path(__file__).resolve().parents[2]
EDITOR = ROOT / "frontend" / "editor"
SHIPPED = Path(mlkatas.web.__file__).parent / "static" / "editor"
HEADER = re.compile(rb"^/\* mlkatas editor bundle; inputs sha256 ([0-9a-f]{64}); "
                    rb"rebuild with scripts/build-editor.sh \*/\n")


def build_inputs(root: Path) -> list[Path]:
    editor = root / "frontend" / "editor"
    files = [p for p in editor.rglob("*") if p.is_file() and "node_modules" not in p.relative_to(editor).parts]
    return sorted([*files, root / "scripts" / "build-editor.sh"], key=lambda p: p.relative_to(root).as_posix().encode())


def inputs_sha256(root: Path) -> str:
    lines = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(root).as_posix()}\n"
                    for p in build_inputs(root))
    return hashlib.sha256(lines.encode()).hexdigest()


def test_the_shipped_bundle_was_built_from_the_current_sources():
    head = HEADER.match((SHIPPED / "editor.js").read_bytes())
    assert head, "static/editor/editor.js lacks the build's header: rebuild it with scripts/build-editor.sh"
    assert head.group(1).decode() == inputs_sha256(ROOT), (
        "frontend/editor or scripts/build-editor.sh changed since src/mlkatas/web/static/editor/editor.js was built: "
        "run scripts/build-editor.sh and commit the new bundle")


def test_the_hash_covers_every_source_the_build_reads():
    names = {p.relative_to(ROOT).as_posix() for p in build_inputs(ROOT)}
    assert {"frontend/editor/package.json", "frontend/editor/package-lock.json", "scripts/build-editor.sh",
            "frontend/editor/src/main.js", "frontend/editor/licenses.mjs"} <= names
    assert not any("node_modules" in n for n in names)


def test_the_bundle_is_minified_and_small():
    body = (SHIPPED / "editor.js").read_bytes()
    # esbuild marks each module with a `// node_modules/...` comment and indents code unless it minifies
    assert b"// node_modules/" not in body and body.count(b"\n") < 50, "the bundle is not minified"
    gzipped = len(gzip.compress(body, 9))
    assert gzipped < 160_000, f"the editor bundle grew to {gzipped} bytes gzipped"


def test_the_licences_list_every_bundled_package_at_its_locked_version():
    lock = json.loads((EDITOR / "package-lock.json").read_text())["packages"]
    wanted = json.loads((EDITOR / "package.json").read_text())["dependencies"]
    listed = dict(re.findall(r"^(\S+) (\d+\.\d+\.\d+\S*) \(", (SHIPPED / "LICENSES.txt").read_text(), re.M))
    for name, version in wanted.items():
        assert lock[f"node_modules/{name}"]["version"] == version, f"{name}: package.json and the lockfile disagree"
        assert listed.get(name) == version, f"LICENSES.txt does not list {name} {version}"
    for name, version in listed.items():
        assert lock[f"node_modules/{name}"]["version"] == version, f"LICENSES.txt names {name} {version}, not locked"


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed: the bundle cannot be rebuilt here")
def test_rebuilding_from_the_lockfile_gives_the_same_bytes(tmp_path):
    for source in build_inputs(ROOT):
        copy = tmp_path / source.relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, copy)
    out = tmp_path / "out"
    done = subprocess.run(["bash", str(tmp_path / "scripts" / "build-editor.sh"), str(out)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("editor.js", "LICENSES.txt"):
        assert (out / name).read_bytes() == (SHIPPED / name).read_bytes(), (
            f"a fresh build's {name} differs from the shipped one: run scripts/build-editor.sh and commit the result")


def test_the_site_serves_the_bundle_and_its_licences(site):
    script = site.get("/static/editor/editor.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert site.get("/static/editor/LICENSES.txt").status_code == 200
    assert site.get("/static/practice.css").status_code == 200


def practice(**change) -> PracticeContext:
    """A newcomer's practice context on split-heads, with `change` applied."""
    newcomer = PracticeContext(slug="split-heads", source="def f():\n    pass\n", starter="def f():\n    pass\n",
                               signed_in=False, solved=False, hints_total=2, hints=[], gave_up=False,
                               solution_html=None, sandbox_note=None)
    return replace(newcomer, **change)


def render_panel(context: PracticeContext) -> str:
    from mlkatas.web.app import templates

    request = SimpleNamespace(state=SimpleNamespace(csrf="TOKEN"))
    return templates.get_template("practice/panel.html").render(practice=context, request=request)


def test_the_panel_holds_the_source_escaped_in_a_textarea_that_posts_without_javascript():
    html = render_panel(practice(source="x = '</textarea><script>alert(1)</script>'"))
    assert '<textarea id="source" name="source"' in html
    assert "&lt;/textarea&gt;&lt;script&gt;" in html and "<script>alert" not in html
    assert 'action="/katas/split-heads/submit"' in html and 'formaction="/katas/split-heads/run"' in html
    assert html.count('name="csrf_token" value="TOKEN"') == 3  # run/submit, hint, give up
    assert re.search(r'<script src="/static/editor/editor.js\?v=[0-9a-f]{16}" defer></script>', html)


def test_only_a_signed_in_learner_gets_server_drafts_and_a_history():
    newcomer, learner = render_panel(practice()), render_panel(practice(signed_in=True, history=[
        HistoryRow(id="abc123", when="2 minutes ago", status="failed", summary="1 of 12 cases failed")]))
    assert "data-signed-in" not in newcomer and 'id="history"' not in newcomer and "Sign in" in newcomer
    assert "data-signed-in" in learner and 'data-load-submission="abc123"' in learner
    assert "1 of 12 cases failed" in learner


def test_the_solution_replaces_the_give_up_button_once_unlocked():
    locked = render_panel(practice())
    unlocked = render_panel(practice(solution_html="<pre><code>return x</code></pre>", gave_up=True))
    assert 'id="give-up"' in locked and "Unlocks when you pass" in locked
    assert 'id="give-up"' not in unlocked and "<pre><code>return x</code></pre>" in unlocked


def test_the_page_says_when_submissions_run_without_the_strict_sandbox():
    assert "sandbox-note" not in render_panel(practice())
    note = "Submissions run without the strict sandbox on this server"
    assert note in render_panel(practice(sandbox_note=note))


def test_the_verdict_box_is_empty_until_there_is_something_to_say():
    assert '<div id="verdict" class="verdict" aria-live="polite"></div>' in render_panel(practice())
    assert "You have solved this kata" in render_panel(practice(solved=True))


def test_revealed_hints_are_numbered_out_of_the_total():
    html = render_panel(practice(hints=["<p>Name both axes.</p>"], hints_total=2))
    assert "Hint 1 of 2" in html and "<p>Name both axes.</p>" in html
    assert "This kata has no hints" in render_panel(practice(hints_total=0))
