"""Verdicts as HTML: the notebook's verdict panel, and the web site's. The same content as the
terminal view (the words come from summary.py), with coloured grids.

Inline styles only (notebook front ends drop or scope <style> blocks differently), colours that
read on light and dark themes, and everything from the verdict escaped.
"""

from __future__ import annotations

from html import escape

from mlkatas.catalog.kata import Kata
from mlkatas.engine.tolerance import Tolerance
from mlkatas.engine.verdict import Verdict
from mlkatas.views import summary
from mlkatas.views.fluency import LoopNote
from mlkatas.views.grids import Grids, Slice, format_cell, tensor_grids
from mlkatas.views.picture import Picture

COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#cf222e", "timeout": "#9a6700", "memory": "#9a6700"}
BOX = "font-family: var(--jp-code-font-family, monospace); font-size: 13px; line-height: 1.4;"
CELL = "padding: 1px 6px; text-align: right; border: 1px solid rgba(128,128,128,0.25);"
GOT_DIFFERS = "background: rgba(207,34,46,0.28); font-weight: bold;"
EXPECTED_DIFFERS = "background: rgba(26,127,55,0.22); font-weight: bold;"
SEP = " · "  # between the parts of a line


def _table(s: Slice, rows: list[list], differ_style: str) -> str:
    out = ['<table style="border-collapse: collapse; margin: 2px 0;">']
    if s.label:
        out.append(f'<caption style="text-align: left; opacity: 0.7;">{escape(s.label)}</caption>')
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            marked = bool(differ_style) and bool(s.differs) and s.differs[r][c]
            style = CELL + (differ_style if marked else "")
            cells.append(f'<td style="{style}">{escape(format_cell(value))}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def grids_html(grids: Grids) -> str:
    caption = f"<b>{escape(grids.label)}</b>: {escape(summary.grids_caption(grids))}"
    differ = summary.cells_differ(grids)
    if differ:
        colour = COLOURS["failed"] if grids.differing else COLOURS["passed"]
        caption += f' · <span style="color: {colour};">{escape(differ)}</span>'
    if grids.note:
        caption += f' <span style="opacity: 0.7;">({escape(grids.note)})</span>'
    if grids.same_shape:
        left = "".join(_table(s, s.expected, EXPECTED_DIFFERS) for s in grids.slices)
        right = "".join(_table(s, s.got, GOT_DIFFERS) for s in grids.slices)
    else:
        left = "".join(_table(s, s.expected, "") for s in grids.slices)
        right = "".join(_table(s, s.expected, "") for s in grids.got_slices)
    column = '<div style="display: inline-block; vertical-align: top; margin-right: 24px;"><div><b>{}</b></div>{}</div>'
    return (
        f'<div class="mlkatas-grids" style="margin: 6px 0;"><div>{caption}</div>'
        + column.format("expected", left)
        + column.format("got", right)
        + "</div>"
    )


def verdict_html(verdict: Verdict, kata: Kata, picture: Picture | None = None, loops: LoopNote | None = None) -> str:
    """The verdict panel on `kata` as one HTML fragment (a notebook cell's output, or a web page's
    verdict panel): status line, the first failure with its grids (cells marked with the kata's
    tolerance) or a picture of a small case with the same mistake, the other failures, the output;
    after a pass with loops, the vectorised form."""
    colour = COLOURS.get(verdict.status, "inherit")
    parts = [
        f'<div class="mlkatas-verdict" style="{BOX}">',
        f'<div><span style="color: {colour}; font-weight: bold;">{escape(verdict.status.upper())}</span>'
        f" &nbsp;{escape(SEP.join(summary.head_parts(verdict)))}</div>",
    ]
    if verdict.passed and loops is not None:
        parts.append(
            f'<div style="border-left: 4px solid {COLOURS["passed"]}; padding: 4px 10px; margin: 6px 0;">'
            f"<div><b>the vectorised form</b></div><div>{escape(loops.text)}</div>"
            f'<pre style="margin: 4px 0; background: none;">{escape(loops.reference)}</pre></div>'
        )
    failure = verdict.first_failure
    if failure is not None:
        title = escape(SEP.join(summary.failure_title_parts(failure)))
        parts.append(
            f'<div style="border-left: 4px solid {colour}; padding: 4px 10px; margin: 6px 0;">'
            f"<div><b>{title}</b></div>"
            f'<pre style="white-space: pre-wrap; margin: 4px 0; background: none;">{escape(failure.message)}</pre>'
        )
        grids = tensor_grids(failure.detail, Tolerance.for_kata(kata))
        if grids is not None:
            parts.append(grids_html(grids))
        elif picture is not None:
            caption = escape(summary.picture_caption(picture))
            parts.append(f'<div style="opacity: 0.8; margin-top: 6px;">{caption}</div>')
            parts.append(grids_html(picture.grids))
        parts.append("</div>")
        others = summary.also_failed(verdict)
        if others:
            parts.append(f'<div style="opacity: 0.7;">{escape(others)}</div>')
    if verdict.output.strip():
        parts.append(
            "<details><summary>your code printed</summary>"
            f'<pre style="white-space: pre-wrap;">{escape(verdict.output.rstrip())}</pre></details>'
        )
    parts.append("</div>")
    return "".join(parts)
