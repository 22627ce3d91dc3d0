"""What the site's tests share: a fresh site on its own SQLite file, and an account's bearer token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mlkatas.web.app import create_app


@pytest.fixture
def site(tmp_path, catalog):
    with TestClient(create_app(str(tmp_path / "site.db"), catalog)) as client:
        yield client


def token(site, name: str = "ada", password: str = "correct horse") -> dict:
    """Sign up through the API; the Authorization header of the new account."""
    answer = site.post("/api/auth/signup", json={"username": name, "password": password})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}
