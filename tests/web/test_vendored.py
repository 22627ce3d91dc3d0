"""Vendored browser assets are exactly the npm builds their README names (no silent edits)."""

import hashlib
import re
from pathlib import Path

import mlkatas.web

VENDOR = Path(mlkatas.web.__file__).parent / "static" / "vendor"


def test_each_vendored_file_matches_the_checksum_in_its_readme():
    rows = re.findall(r"^\| (\S+) \| .+ \| ([0-9a-f]{64}) \|$", (VENDOR / "README.md").read_text(), re.M)
    assert rows, "the vendor README lists no file"
    for name, digest in rows:
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    referenced = re.findall(r"vendor/([\w.-]+)", (VENDOR.parent.parent / "templates" / "base.html").read_text())
    assert set(referenced) <= {name for name, _ in rows}
