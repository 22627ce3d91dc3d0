"""`mlkatas watch` in a pseudo-terminal, for the tests that drive it as a learner would."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Iterator

from mlkatas.devtools.bench_watch import PtyProcess
from tests._practice import base_env

TITLE = "mlkatas watch  ·  "  # how every screen starts


def watch_env(tmp_path: Path, columns: int = 160, rows: int = 60, **extra: str) -> dict:
    """The environment of a watch on `tmp_path/katas`, in colour, `columns` x `rows` as a
    terminal of that size tells its programs."""
    env = base_env(MLKATAS_WORKSPACE=str(tmp_path / "katas"), TERM="xterm-256color",
                   COLUMNS=str(columns), LINES=str(rows), **extra)
    env.pop("NO_COLOR")
    return env


@contextlib.contextmanager
def watching(tmp_path: Path, *args: str, columns: int = 120, rows: int = 60) -> Iterator[PtyProcess]:
    """A running `mlkatas watch ARGS` on a `columns` x `rows` terminal; killed if the test
    leaves it running."""
    screen = PtyProcess([sys.executable, "-m", "mlkatas", "watch", *args], cwd=tmp_path,
                        env=watch_env(tmp_path, columns, rows), columns=columns, rows=rows)
    try:
        yield screen
    finally:
        if screen.proc.poll() is None:
            screen.proc.kill()
            screen.close()


def save(path: Path, text: str) -> None:
    with open(path, "w") as f:  # in place, as most editors save
        f.write(text)


def last_screen(screen: PtyProcess) -> str:
    """What the terminal shows now: the watch clears it before each screen."""
    return screen.text[screen.text.rfind(TITLE):]


def rows_on(text: str, columns: int) -> list[str]:
    """`text` as rows of a terminal `columns` wide: a longer line takes more rows."""
    rows = []
    for line in text.split("\n"):
        rows += [line[i:i + columns] for i in range(0, max(len(line), 1), columns)]
    return rows
