"""A wrong variant's header: `# expect: KIND` and an optional `# says: PHRASE` its message must hold."""

import pytest

from mlkatas.catalog.kata import KataFormatError, _load_variants


def _kata_with(tmp_path, text: str):
    (tmp_path / "variants").mkdir()
    (tmp_path / "variants" / "wrong_x.py").write_text(text)
    return _load_variants(tmp_path)


def test_says_is_read_after_expect(tmp_path):
    (variant,) = _kata_with(tmp_path, "# expect: values\n# says: the mean over 4 x 4 windows\nx = 1\n")
    assert (variant.expect, variant.says) == ("values", "the mean over 4 x 4 windows")


def test_says_is_optional(tmp_path):
    (variant,) = _kata_with(tmp_path, "# expect: shape\nx = 1\n")
    assert variant.says is None


def test_an_empty_says_names_the_field(tmp_path):
    with pytest.raises(KataFormatError, match=r"\[says\].*phrase"):
        _kata_with(tmp_path, "# expect: values\n# says:   \n")


def test_devcheck_fails_a_variant_whose_message_lacks_the_phrase(judge, catalog):
    from dataclasses import replace

    from mlkatas.devtools.devcheck import check_kata

    kata = catalog.get("global-average-pooling")
    fixed = next(v for v in kata.variants if v.name == "wrong_fixed_window")
    wrong_phrase = replace(fixed, says="the mean over 3 x 3 windows")
    result = check_kata(judge, replace(kata, variants=(wrong_phrase,)))
    line = next(line for line in result.lines if line.subject == "wrong_fixed_window")
    assert not line.ok and "the mean over 3 x 3 windows" in line.detail
