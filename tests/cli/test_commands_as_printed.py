"""Every command the tool prints runs when pasted, the way the learner started the tool.

A typical session goes through the real launcher, `mlkatas.sh`, in a subprocess: started as
`./mlkatas.sh` from the project folder, and by a relative path from a folder beside it. Every
command it printed (between backticks, on stdout or stderr) and every one the starter headers
name is then run exactly as printed, in a shell, from the same folder."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from mlkatas.catalog import Catalog
from mlkatas.devtools.bench_watch import PtyProcess
from tests._practice import ANSI, base_env

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "mlkatas.sh"
SPLIT = Catalog.load().get("split-heads")
# Right on the visible example (its last axis is 768), wrong on hidden cases: the verdict's first
# failure is a hidden case, whose seed the verdict offers to run.
WRONG_WHEN_HIDDEN = (
    "from einops import rearrange\n\n\ndef split_heads(x, num_heads):\n"
    "    if x.shape[-1] == 768:\n"
    '        return rearrange(x, "b n (h d) -> b h n d", h=num_heads)\n'
    '    return rearrange(x, "b n (d h) -> b h n d", h=num_heads)\n'
)
BACKTICKED = re.compile(r"`([^`\n]+)`")
FAILURES = ("command not found", "No such file or directory", "cannot read", "Usage:", "No such command")


def shell(line: str, cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        line, shell=True, executable="/bin/bash", cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    result.stdout, result.stderr = ANSI.sub("", result.stdout), ANSI.sub("", result.stderr)
    return result


class Session:
    """The learner's terminal: one folder, one environment, one way of starting mlkatas; it keeps
    every command the tool printed."""

    def __init__(self, launcher: str, cwd: Path, env: dict, workspace: Path):
        self.launcher, self.cwd, self.env, self.workspace = launcher, cwd, env, workspace
        self.printed: list[str] = []

    def run(self, args: str, expect: int | tuple[int, ...] = 0) -> subprocess.CompletedProcess:
        result = shell(f"{self.launcher} {args}", self.cwd, self.env)
        codes = expect if isinstance(expect, tuple) else (expect,)
        assert result.returncode in codes, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        self.collect(result.stdout + result.stderr)
        return result

    def collect(self, text: str) -> None:
        for snippet in BACKTICKED.findall(text):
            if snippet.startswith((self.launcher + " ", "mlkatas ")):
                self.printed.append(snippet)


@pytest.fixture(params=["./mlkatas.sh from the project folder", "a relative path from a folder beside it"])
def session(request, tmp_path) -> Session:
    if request.param.startswith("./"):  # the README's way; the workspace elsewhere, to leave the checkout clean
        workspace = tmp_path / "katas"
        return Session("./mlkatas.sh", REPO, base_env(COLUMNS="80", MLKATAS_WORKSPACE=str(workspace)), workspace)
    beside = tmp_path / "my-katas"
    beside.mkdir()
    launcher = os.path.relpath(SCRIPT, beside)  # like ../mlkatas/mlkatas.sh
    return Session(launcher, beside, base_env(COLUMNS="80"), beside / "katas")


def test_every_printed_command_runs_as_printed(session: Session):
    s = session
    first = s.run("start")
    assert "batch-transpose" in first.stdout  # the path begins with the basic rearrangements
    assert "swap-height-width" in s.run("next").stdout  # and `next` follows it
    s.run("start split-heads")
    s.run("show split-heads")
    s.run("check split-heads", expect=1)  # the starter
    mine = s.workspace / "split-heads.py"
    mine.write_text(WRONG_WHEN_HIDDEN)
    hidden = s.run("check split-heads", expect=1)
    assert "this is a hidden case (seed" in hidden.stdout
    for _ in range(3):
        s.run("hint split-heads")
    s.run("solution split-heads", expect=1)  # not solved: refused, with what to do instead
    s.run("solution split-heads --give-up")
    mine.write_text(SPLIT.solution)
    assert "Solved" in s.run("check split-heads").stdout
    s.run("reset split-heads")
    s.run("progress")
    s.run("check no-such-kata", expect=2)  # a typo: the error says how to list the katas
    s.run("check merge-heads", expect=2)  # no file yet: the error says how to make one
    for kata_file in sorted(s.workspace.glob("*.py")):  # the starter headers name commands too
        s.collect(kata_file.read_text())

    commands = list(dict.fromkeys(s.printed))
    assert all(c.startswith(s.launcher + " ") for c in commands), [c for c in commands if c.startswith("mlkatas ")]
    verbs = {c[len(s.launcher) + 1:].split()[0] for c in commands}
    assert {"check", "hint", "solution", "next", "watch", "start", "show", "list"} <= verbs, verbs
    seeded = [c for c in commands if " --seed " in c]
    assert seeded and all(" katas/split-heads.py " in c or str(mine) in c for c in seeded), seeded

    for line in commands:
        if line.split()[1] == "watch":
            assert_watch_starts(line, s)
            continue
        result = shell(line, s.cwd, s.env)
        assert result.returncode in (0, 1), f"`{line}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        problems = [f for f in FAILURES if f in result.stderr]
        assert not problems, f"`{line}`: {problems}\n{result.stderr}"


def assert_watch_starts(line: str, s: Session) -> None:
    """`watch` as printed, in a terminal: its first screen, then q."""
    pty = PtyProcess(["/bin/bash", "-c", line], cwd=s.cwd, env={**s.env, "TERM": "xterm"}, columns=80, rows=30)
    try:
        pty.expect(r"watching for saves", timeout=120)
        pty.send("q")
        assert pty.close(timeout=30) == 0, pty.text[-2000:]
    finally:
        if pty.proc.poll() is None:
            pty.proc.kill()
            pty.close()


@pytest.mark.parametrize("started_as", ["the console script", "python -m"])
def test_other_ways_of_starting_print_their_own_commands(tmp_path, started_as):
    """`.venv/bin/mlkatas` (or `mlkatas` when PATH finds that very script) and `python -m mlkatas`."""
    console_script = shlex.quote(str(Path(sys.executable).with_name("mlkatas")))
    line = console_script if "script" in started_as else f"{shlex.quote(sys.executable)} -m mlkatas"
    env = base_env(COLUMNS="80")
    shown = shell(f"{line} show split-heads", tmp_path, env)
    assert shown.returncode == 0, shown.stderr
    printed = BACKTICKED.findall(shown.stdout.split("Start it:")[1])[0]
    assert printed.endswith(" start split-heads")
    started = shell(printed, tmp_path, env)
    assert started.returncode == 0 and (tmp_path / "katas" / "split-heads.py").is_file(), started.stderr
    assert not any(f in started.stderr for f in FAILURES), started.stderr
