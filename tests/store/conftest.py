"""What the store's tests share: a migrated, empty database of each kind the site runs on."""

from __future__ import annotations

import pytest

from mlkatas.store.db import Database


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.migrate()
    yield database
    database.close()
