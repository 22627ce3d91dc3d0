"""The catalogue's rows as HTML, each rendered once per content and kept: a row shows the same to
every visitor of the same view (the kata's facts and counts, its relative date, its topic links
for that view), and rendering 25 rows was most of a catalogue page's time. The cache key is
everything a row shows, so a changed count or date is a new row, never a stale one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from mlkatas.web.app import templates


@dataclass(frozen=True)
class RowView:
    slug: str
    title: str
    difficulty: str
    time: str
    when: str  # "3 days ago"
    judged: bool
    upvotes: int
    saves: int
    solves: int
    summary: str
    topics: tuple[tuple[str, str], ...]  # (topic, this view with that topic's filter)


@lru_cache(maxsize=4096)  # a few MB: 25 rows for each of the views people look at most
def row_html(row: RowView) -> Markup:
    return Markup(templates.get_template("_kata_row.html").render(k=row))  # Jinja escaped what it holds
