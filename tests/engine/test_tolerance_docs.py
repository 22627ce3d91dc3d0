"""The default tolerances authors read in docs/writing-katas.md are the ones the judge applies."""

from __future__ import annotations

from pathlib import Path

from mlkatas.engine.tolerance import DEFAULT_TOLERANCES

DOC = Path(__file__).resolve().parents[2] / "docs" / "writing-katas.md"
HEADER = "| dtype | rtol | atol |"


def documented_tolerances() -> dict[str, dict[str, float]]:
    """The rows of the docs' default-tolerance table, as {dtype: {"rtol", "atol"}}."""
    lines = DOC.read_text().splitlines()
    assert lines.count(HEADER) == 1, f"docs/writing-katas.md should hold one table headed {HEADER!r}"
    table = {}
    for line in lines[lines.index(HEADER) + 2 :]:  # past the header and its --- row
        if not line.startswith("|"):
            break
        dtype, rtol, atol = (cell.strip() for cell in line.strip("|").split("|"))
        table[dtype] = {"rtol": float(rtol), "atol": float(atol)}
    return table


def test_the_documented_default_tolerances_are_the_judges():
    assert documented_tolerances() == DEFAULT_TOLERANCES
