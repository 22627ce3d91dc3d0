"""Every kata of the built-in pack proves itself (`mlkatas dev check`): the reference passes, the
starter fails, right variants pass, wrong variants fail with the diagnosis a teacher would give."""

import pytest

from mlkatas.catalog import Catalog
from mlkatas.devtools.devcheck import check_kata

SLUGS = [k.slug for k in Catalog.load()]


@pytest.mark.parametrize("slug", SLUGS)
def test_kata_checks_itself(judge, catalog, slug):
    result = check_kata(judge, catalog.get(slug))
    failures = [f"{line.subject}: {line.detail}" for line in result.lines if not line.ok]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("slug", SLUGS)
def test_visible_example_is_in_the_description(judge, catalog, slug):
    kata = catalog.get(slug)
    suite = judge.suite(slug)
    example = suite.cases[0]
    assert not example.hidden and sum(not c.hidden for c in suite.cases) <= 3
    assert sum(c.hidden for c in suite.cases) >= 50
    assert kata.entry in kata.description or kata.entry in kata.signature
    assert kata.entry in kata.starter and "NotImplementedError" in kata.starter


@pytest.mark.parametrize("slug", SLUGS)
def test_hidden_cases_vary_sizes_and_include_size_one(judge, slug):
    suite = judge.suite(slug)
    hidden = [c for c in suite.cases if c.hidden]
    names = {n for c in hidden for n in c.sizes}
    assert names, "hidden cases should name their dimensions with g.size"
    for name in names:
        values = {c.sizes.get(name) for c in hidden} - {None}
        assert len(values) >= 2 or name in ("s", "S", "s1", "s2", "k", "p1", "p2"), f"{name} never varies: {values}"
