"""Full-text search over katas (title, description, topics), behind one function per question.

Whatever a person types is a search, never a syntax error: the text is cut into words (letters,
digits, underscores, in any script) and each word becomes a quoted prefix term, all of which must
match. Quotes, `*`, `-`, `NEAR`, parentheses and a lone `"` are just not part of any word.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, literal_column, select, text

from mlkatas.store.models import Kata

_WORD = re.compile(r"\w+")
MAX_TERMS = 12
MAX_TERM = 40


def words(query: str) -> list[str]:
    """The words of a query, at most MAX_TERMS, each cut to MAX_TERM characters."""
    return [w[:MAX_TERM] for w in _WORD.findall(query or "")][:MAX_TERMS]


def fts5_expression(terms: list[str], column: str | None = None) -> str:
    """An FTS5 query: every term a quoted prefix ("word"*), all required; within one column if given.
    A word holds no quote (\\w has none), so quoting cannot be broken out of."""
    expression = " ".join(f'"{t}"*' for t in terms)
    return f"{column} : ({expression})" if column else expression


def tsquery_expression(terms: list[str]) -> str:
    """The same for PostgreSQL's to_tsquery: prefix terms joined with AND."""
    return " & ".join(f"{t}:*" for t in terms)


def matching(dialect: str, query: str, column: str | None = None) -> ColumnElement[bool] | None:
    """A condition on Kata that keeps the katas matching `query` (None: no words, no condition)."""
    if column not in (None, "title", "description", "topics"):
        raise ValueError(f"no search over the column {column!r}")
    terms = words(query)
    if not terms:
        return None
    if dialect == "sqlite":
        hits = select(literal_column("rowid")).select_from(text("kata_search")).where(
            text("kata_search MATCH :match").bindparams(match=fts5_expression(terms, column))
        )
        return Kata.id.in_(hits)
    if dialect == "postgresql":
        # the stored tsvector covers every column; one column is matched against its own vector
        vector = f"to_tsvector('simple', coalesce(katas.{column}, ''))" if column else "katas.search"
        return text(f"{vector} @@ to_tsquery('simple', :tsquery)").bindparams(tsquery=tsquery_expression(terms))
    # any other database: a plain substring match on the title (correct, not fast)
    return Kata.title.ilike(f"%{' '.join(terms)}%")
