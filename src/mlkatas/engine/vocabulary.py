"""The words a verdict is made of: its statuses, a case's statuses and the kinds of mistake.

One list of each, for the engine, the wire protocol, the kata format (a wrong variant names the
kind it expects) and every front end. They are StrEnums, so a member is equal to its string
(`Status.PASSED == "passed"`) and JSON writes it as that string: the verdict format is the same
plain strings it always was. Nothing here imports anything, so any layer may use it.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """What a verdict says about the whole submission."""

    PASSED = "passed"
    FAILED = "failed"  # a wrong answer: the first failing case's kind says which
    ERROR = "error"  # the code raised, or did not load
    TIMEOUT = "timeout"
    MEMORY = "memory"


class CaseStatus(StrEnum):
    """What a verdict says about one case (or one rule)."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not run"  # the run stopped before this case


class Kind(StrEnum):
    """What went wrong in a failed case (README.md and docs/writing-katas.md list them)."""

    SHAPE = "shape"
    DTYPE = "dtype"
    TYPE = "type"  # not a tensor, or not the stated tuple
    MUTATED_INPUT = "mutated_input"
    REARRANGED = "rearranged"  # the right elements in the wrong places
    VALUES = "values"
    RULE = "rule"  # a kata rule beyond the values, e.g. no Python loop over a dimension
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"


# Kinds that stop the run rather than answer wrongly: the verdict's status is the kind itself.
STOPPING_KINDS = frozenset({Kind.ERROR, Kind.TIMEOUT, Kind.MEMORY})


def known_kind(value: object) -> Kind | None:
    """`value` as a Kind, or None when it is not one (what a child reports is checked this way)."""
    if not isinstance(value, str):
        return None
    try:
        return Kind(value)
    except ValueError:
        return None
