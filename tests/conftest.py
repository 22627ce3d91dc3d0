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
