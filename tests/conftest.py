import pytest

from mlkatas.catalog import Catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="session")
def judge(catalog):
    """One warm local judge for the whole run: starting a zygote costs about 2 s."""
    from mlkatas.judge import Judge

    with Judge(sandbox="local", catalog=catalog) as j:
        yield j


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL server for the run, started on first use (the store's tests run on it too)."""
    import os

    from tests._postgres import PostgresServer, server_binaries

    binaries = server_binaries()
    if binaries is None:
        if os.environ.get("CI") or os.geteuid() == 0:  # the setup installs it there: missing is a failure
            pytest.fail("PostgreSQL is not installed (/usr/lib/postgresql/*/bin): install-system-deps.sh should have")
        pytest.skip("PostgreSQL is not installed (run scripts/install-system-deps.sh as root)")
    server = PostgresServer(binaries)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database of each kind the site runs on."""
    if request.param == "sqlite":
        return str(tmp_path / "site.db")
    return request.getfixturevalue("postgres").new_database()
