"""The site's static files: content-hashed URLs cached for a year, text compressed with gzip.

Templates write `{{ static("editor/editor.js") }}`, which gives `/static/editor/editor.js?v=HASH`
(HASH from the file's bytes): a browser keeps such a URL for good and never asks again, and a new
release changes the URL. A URL without `?v=` is revalidated (ETag) on every use. Text files are
sent gzipped to a browser that accepts it, compressed once per file and kept in memory (the editor
bundle: 422 KB, 141 KB gzipped).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSED_SUFFIXES = {".js", ".css", ".txt", ".svg", ".json", ".html", ".map"}
MIN_COMPRESSED_BYTES = 1024  # smaller files gain nothing worth a header


@functools.lru_cache(maxsize=256)
def _digest(path: Path, mtime_ns: int, size: int) -> str:  # keyed by mtime and size: read once per change
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def versioned_url(root: Path, name: str) -> str:
    """`/static/NAME?v=HASH` of the file `root/NAME`; ValueError naming it when it is missing (a
    template typo shows at once instead of as a broken page)."""
    path = root / name
    try:
        stat = path.stat()
    except OSError:
        raise ValueError(f"no static file {name!r} under {root}") from None
    return f"/static/{name}?v={_digest(path, stat.st_mtime_ns, stat.st_size)}"


@functools.lru_cache(maxsize=64)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


class CachedStaticFiles(StaticFiles):
    """StaticFiles with the cache policy above and gzip for text."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code not in (200, 304):
            return response
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["cache-control"] = FOREVER if versioned else REVALIDATE
        if response.status_code == 200 and isinstance(response, FileResponse):
            return self._compressed(response, scope) or response
        return response

    def _compressed(self, response: FileResponse, scope: Scope) -> Response | None:
        """The gzipped body of `response`'s file when the client takes gzip; None otherwise."""
        file = Path(response.path)
        request_headers = Headers(scope=scope)
        if (file.suffix not in COMPRESSED_SUFFIXES or "gzip" not in request_headers.get("accept-encoding", "")
                or "range" in request_headers):
            return None
        stat = response.stat_result or file.stat()
        if stat.st_size < MIN_COMPRESSED_BYTES:
            return None
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "accept-ranges")}
        body = _gzipped(file, stat.st_mtime_ns, stat.st_size)
        headers.update({"content-encoding": "gzip", "vary": "Accept-Encoding", "content-length": str(len(body))})
        return Response(body if scope["method"] != "HEAD" else b"", headers=headers)
