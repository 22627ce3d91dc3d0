"""Issue 12's measure: every wrong variant that fails on values or placement gets a diagnosis."""

from mlkatas.devtools.explain_share import explanation_share


def test_every_wrong_variant_on_values_or_placement_is_explained(judge, catalog, capsys):
    share = explanation_share(judge, catalog)
    with capsys.disabled():
        print(f"\n{share.line()}")
    assert share.explained, "no variant measured"
    assert not share.generic, "\n".join(share.generic)
