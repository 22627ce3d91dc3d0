"""The watch loop in-process, its keys from a pipe instead of a terminal (tests/test_watch.py
drives the real command in a pseudo-terminal)."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
import time

import pytest
from rich.console import Console

from mlkatas.cli.watch import run
from mlkatas.learner.workspace import Workspace

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the watch's sources are POSIX")


class PipeStdin:
    def __init__(self, fd: int):
        self.fd = fd

    def fileno(self) -> int:
        return self.fd


@pytest.fixture
def keys(monkeypatch):
    """Write keys to the watch's standard input; close it to end the input."""
    read_end, write_end = os.pipe()
    monkeypatch.setattr(sys, "stdin", PipeStdin(read_end))
    yield write_end
    for fd in (read_end, write_end):
        with contextlib.suppress(OSError):  # a test may have closed its input already
            os.close(fd)


def watch(catalog, tmp_path, *args, out: Console | None = None, **options) -> str:
    out = out or screen()
    assert run(catalog, Workspace(tmp_path / "katas"), *args, out=out, **options) == 0
    return out.file.getvalue()


def screen() -> Console:
    return Console(file=io.StringIO(), width=160, color_system=None)


def once_shown(out: Console, text: str, then, timeout: float = 120.0) -> threading.Thread:
    """Call `then` from a thread once `text` is on the screen `out` (what a learner waits for)."""

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while text not in out.file.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        then()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return thread


def test_manual_mode_checks_on_enter_and_q_quits(catalog, tmp_path, keys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kata_file = tmp_path / "katas" / "split-heads.py"
    out = screen()

    def solve_and_press_enter() -> None:
        kata_file.write_text(catalog.get("split-heads").solution)
        os.write(keys, b"\n")
        once_shown(out, "PASSED", lambda: os.write(keys, b"q"))

    once_shown(out, "manual: press Enter to check", solve_and_press_enter)
    shown = watch(catalog, tmp_path, "split-heads", manual=True, out=out)
    assert "manual: press Enter to check" in shown and "PASSED" in shown
    assert f"Stopped watching. 1 of {len(catalog)} katas solved" in shown


def test_a_manual_watch_ends_when_its_input_closes(catalog, tmp_path, keys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.close(keys)  # no keys will come and no saves are watched: nothing is left to wait for
    shown = watch(catalog, tmp_path, "split-heads", manual=True)
    assert "Multi-Head Attention" in shown and "Stopped watching" in shown
