"""Katas in a notebook: `from mlkatas.notebook import start, check`.

    start("split-heads")               # shows the task; the starter appears in the next cell
    check("split-heads", split_heads)  # grades the function with the local judge, shows the verdict

In Jupyter the verdict is HTML (coloured grids of expected versus got for small outputs); in a
plain Python session or terminal IPython it is the same text the `mlkatas` command prints.
One judge is kept warm for the whole session, so checks after the first take a fraction of a
second. IPython is used when it is there, never required.
"""

from __future__ import annotations

import atexit
import threading

from mlkatas.catalog import Catalog
from mlkatas.catalog.kata import Kata
from mlkatas.engine.verdict import Verdict
from mlkatas.notebook.source import SourceNotFound, learner_source
from mlkatas.views.fluency import LoopNote, loop_note
from mlkatas.views.picture import Picture, find_picture
from mlkatas.views.summary import checks_passed

__all__ = ["start", "check", "hint", "SourceNotFound"]

_lock = threading.Lock()
_judge = None
_catalog: Catalog | None = None
_hints_shown: dict[str, int] = {}


def _get_catalog() -> Catalog:
    global _catalog
    if _catalog is None:
        _catalog = Catalog.load()
    return _catalog


def _get_judge():
    global _judge
    with _lock:
        if _judge is None:
            from mlkatas.judge import Judge

            _judge = Judge(sandbox="local", catalog=_get_catalog())
            _judge.start()
            atexit.register(_close_judge)
        return _judge


def _close_judge() -> None:
    global _judge
    with _lock:
        if _judge is not None:
            _judge.close()
            _judge = None


def _ipython():
    """The running IPython shell, or None in plain Python."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _in_kernel() -> bool:
    """A Jupyter kernel (HTML shows), as opposed to terminal IPython or plain Python (text)."""
    ip = _ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def _print_rich(renderable) -> None:
    from mlkatas.views import terminal as render

    render.console().print(renderable)


class NotebookVerdict(Verdict):
    """A Verdict that shows itself as HTML in Jupyter and as text elsewhere.

    check() displays it at once; when it is also the cell's value, it is not shown twice."""

    _shown_in: int | None = None
    _kata: Kata  # the kata it is a verdict on (`kata`, as in every Verdict, is its slug)
    picture: Picture | None = None  # a small case with the same mistake, drawn when the first failure is too big
    loops: LoopNote | None = None  # after a pass with loops: the vectorised form

    @classmethod
    def of(cls, verdict: Verdict, kata: Kata, picture: Picture | None = None,
           loops: LoopNote | None = None) -> "NotebookVerdict":
        obj = cls.__new__(cls)
        obj.__dict__.update(verdict.__dict__)
        obj._kata, obj.picture, obj.loops = kata, picture, loops
        return obj

    def __repr__(self) -> str:
        return f"<Verdict {self.kata}: {self.status}, {checks_passed(self)}>"

    def _repr_html_(self) -> str:
        from mlkatas.views.html import verdict_html

        return verdict_html(self, self._kata, self.picture, self.loops)

    def show(self) -> None:
        ip = _ipython()
        self._shown_in = getattr(ip, "execution_count", None) if ip is not None else None
        if _in_kernel():
            from IPython.display import HTML, display

            display(HTML(self._repr_html_()))
        else:
            from mlkatas.views import terminal as render

            _print_rich(render.verdict_view(self, self._kata, self.picture, self.loops))

    def _ipython_display_(self) -> None:
        ip = _ipython()
        if ip is not None and self._shown_in is not None and self._shown_in == ip.execution_count:
            return  # check() showed it in this very cell
        self.show()


def start(slug: str) -> None:
    """Show the kata's task and put its starter, with a check() call, into the next cell
    (in plain Python: print both)."""
    kata = _get_catalog().get(slug)
    cell = (
        kata.starter.rstrip()
        + "\n\n\n# Run this cell to check your solution.\nfrom mlkatas.notebook import check\n"
        + f'check("{kata.slug}", {kata.entry})\n'
    )
    ip = _ipython()
    if _in_kernel():
        from IPython.display import Markdown, display

        meta = f"*{kata.difficulty} · {kata.time} · {', '.join(kata.topics)}*"
        task = f"{meta}\n\n{kata.description}\n\n**You write:** `{kata.signature}`. The starter is in the next cell."
        display(Markdown(task))
        ip.set_next_input(cell, replace=False)
        return
    from mlkatas.views import terminal as render

    _print_rich(render.kata_panel(kata))
    if ip is not None:  # terminal IPython: the starter becomes the next prompt's text
        ip.set_next_input(cell, replace=False)
        return
    print("\n# The starter: copy it, write the function, then call check().\n")
    print(cell)


def check(slug: str, solution, *, show: bool = True) -> Verdict:
    """Grade `solution` (the function or class you wrote, or its source as a string) against
    the kata with the local judge; show the verdict and return it."""
    catalog = _get_catalog()
    kata = catalog.get(slug)
    source = learner_source(solution, kata.entry)
    judge = _get_judge()
    name = getattr(solution, "__name__", kata.entry)
    verdict = judge.grade(kata.slug, source, filename=f"<notebook: {name}>")
    loops = loop_note(source, kata) if verdict.passed else None
    verdict = NotebookVerdict.of(verdict, kata, find_picture(judge, verdict, source), loops)
    if show:
        verdict.show()
    return verdict


def hint(slug: str) -> None:
    """Show the next hint for the kata (one more each call in this session)."""
    kata = _get_catalog().get(slug)
    if not kata.hints:
        text = f"{kata.slug} has no hints."
    else:
        n = min(_hints_shown.get(slug, 0) + 1, len(kata.hints))
        _hints_shown[slug] = n
        text = f"Hint {n} of {len(kata.hints)}: {kata.hints[n - 1]}"
    if _in_kernel():
        from IPython.display import Markdown, display

        display(Markdown(text))
    else:
        print(text)
