"""Kata descriptions from Markdown to safe HTML: fenced code, tables, and math (`$...$`, `$$...$$`)
rendered on the server as MathML, once per version of a description.

Community katas are untrusted text: raw HTML in the Markdown is escaped (markdown-it's html
option is off), and the result is cleaned again by an allow-list (nh3) that keeps only the
tags and attributes the renderer itself produces.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

RENDERER_VERSION = "2"  # bump when the output changes: cached descriptions render again

MATHML = {
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub",
    "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle",
    "menclose", "mpadded", "mphantom", "merror",
}
TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "img", "div", "span",
} | MATHML
ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title"}, "code": {"class"}, "div": {"class"}, "span": {"class"},
    "th": {"style"}, "td": {"style"},
    "math": {"display", "xmlns"}, "mo": {"stretchy", "fence", "separator", "lspace", "rspace"},
    "mstyle": {"displaystyle", "scriptlevel"}, "mspace": {"width"}, "mtable": {"columnalign"},
    "annotation": {"encoding"}, "mfrac": {"linethickness"},
}


def _math(latex: str, display: bool) -> str:
    try:
        mathml = latex_to_mathml(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - a formula it cannot read is shown as its source
        return f'<code class="math-source">{nh3.clean_text(latex)}</code>'
    return f'<div class="math">{mathml}</div>' if display else mathml


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")
    md.use(dollarmath_plugin, allow_space=True, double_inline=True)
    md.add_render_rule("math_inline", lambda self, tokens, idx, options, env: _math(tokens[idx].content, False))
    md.add_render_rule("math_block", lambda self, tokens, idx, options, env: _math(tokens[idx].content, True))
    md.add_render_rule("math_block_label", lambda self, tokens, idx, options, env: _math(tokens[idx].content, True))
    return md


def render(markdown: str) -> str:
    """Safe HTML for a description (its leading `# Title` left to the page)."""
    html = _parser().render(without_title(markdown))
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="nofollow noopener")


def render_key(markdown: str) -> str:
    """What a cached rendering was made from: the text and the renderer's version."""
    return hashlib.sha256(f"{RENDERER_VERSION}\0{markdown}".encode()).hexdigest()


def without_title(markdown: str) -> str:
    """The description without a leading `# Title` line: the page shows the title already."""
    first, _, rest = markdown.lstrip().partition("\n")
    return rest if first.startswith("# ") else markdown


@lru_cache(maxsize=4096)  # a catalogue page shows the same 25 excerpts to every visitor
def excerpt(markdown: str, limit: int = 200) -> str:
    """The first `limit` characters of a description as plain text: headings and Markdown marks
    dropped."""
    lines = [line for line in without_title(markdown).splitlines() if not line.lstrip().startswith("#")]
    text = " ".join(" ".join(lines).replace("`", "").replace("*", "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
