"""Static files as a browser meets them: pages link content-hashed URLs that are cached for a
year, unversioned URLs are revalidated, and text goes out gzipped (the editor bundle is 422 KB)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mlkatas.web.app import HERE, create_app
from mlkatas.web.static_files import FOREVER, versioned_url


@pytest.fixture(scope="module")
def site(tmp_path_factory, catalog):
    with TestClient(create_app(str(tmp_path_factory.mktemp("static") / "site.db"), catalog)) as client:
        yield client


def test_the_kata_page_links_hashed_urls_that_are_cached_for_good(site):
    page = site.get("/katas/split-heads").text
    script = re.search(r'<script src="(/static/editor/editor\.js\?v=[0-9a-f]{16})" defer>', page)
    assert script, "the editor is loaded deferred from a versioned URL"
    assert re.search(r'href="/static/site\.css\?v=[0-9a-f]{16}"', page)
    answer = site.get(script.group(1))
    assert answer.status_code == 200 and answer.headers["cache-control"] == FOREVER


def test_an_unversioned_url_is_revalidated_and_answered_304_when_unchanged(site):
    first = site.get("/static/site.css")
    assert first.headers["cache-control"] == "no-cache"
    again = site.get("/static/site.css", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"


def test_text_goes_out_gzipped_to_a_browser_that_takes_it(site):
    shipped = (HERE / "static" / "editor" / "editor.js").read_bytes()
    zipped = site.get("/static/editor/editor.js", headers={"accept-encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(shipped) / 2
    assert zipped.content == shipped  # the client unpacked it: the same bytes
    plain = site.get("/static/editor/editor.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == shipped
    assert site.get("/static/no-such-file.js").status_code == 404


def test_a_changed_file_gets_a_new_url_and_a_missing_one_is_named(tmp_path):
    (tmp_path / "a.css").write_text("body { color: red }")
    before = versioned_url(tmp_path, "a.css")
    (tmp_path / "a.css").write_text("body { color: blue }")
    assert re.fullmatch(r"/static/a\.css\?v=[0-9a-f]{16}", before) and versioned_url(tmp_path, "a.css") != before
    with pytest.raises(ValueError, match="no static file 'b.css'"):
        versioned_url(tmp_path, "b.css")
