"""What the site's tests share: a fresh site on its own database (each test runs on SQLite and on
PostgreSQL), and an account's bearer token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mlkatas.web.app import create_app


@pytest.fixture
def site(database_url, catalog):
    with TestClient(create_app(database_url, catalog)) as client:
        yield client


def token(site, name: str = "ada", password: str = "correct horse") -> dict:
    """Sign up through the API; the Authorization header of the new account."""
    answer = site.post("/api/auth/signup", json={"username": name, "password": password})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}
