"""`mlkatas dev bench-watch`: save-to-verdict latency of `mlkatas watch`, as a learner sees it.

A real `mlkatas watch` runs in a pseudo-terminal on a scratch workspace. Each timed save writes
the kata file, alternating a correct solution and a broken one, and the clock stops when the new
verdict's status word appears on the terminal: file event, debounce, grading, rendering and the
terminal write are all inside the figure. The baseline, in the same run, is a cold
`mlkatas check` in a new process (Python start, torch import, judge start-up, grading).
"""

from __future__ import annotations

import codecs
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mlkatas.catalog.kata import Kata
from mlkatas.devtools.stats import summary_ms
from mlkatas.learner.workspace import WORKSPACE_ENV

ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][A-Za-z0-9]|[=>78])")
GRADE_MS = re.compile(r"checks passed\s+·\s+(\d+) ms")


class PtyProcess:
    """A command on a pseudo-terminal: what it prints is collected (escape codes stripped) by a
    reader thread; `expect` waits for a pattern in the output that came after a mark."""

    def __init__(self, argv: list[str], cwd: Path, env: dict, columns: int = 120, rows: int = 60):
        import fcntl
        import pty
        import struct
        import termios

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )
        os.close(slave)
        self.text = ""
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")  # a character may span two reads
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the other side closed
                data = b""
            if not data:
                break
            chunk = decoder.decode(data)
            with self._cond:
                self.text += ANSI.sub("", chunk.replace("\r", ""))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.text)

    def expect(self, pattern: str | re.Pattern, since: int = 0, timeout: float = 60.0) -> re.Match:
        """The first match of `pattern` in the output after position `since`; TimeoutError if none."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = regex.search(self.text, since)
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or (not self._thread.is_alive() and self.proc.poll() is not None):
                    tail = self.text[-3000:]
                    raise TimeoutError(
                        f"{regex.pattern!r} did not appear within {timeout:g} s; the terminal showed:\n{tail}"
                    )
                self._cond.wait(min(left, 0.5))

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self, timeout: float = 10.0) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
        finally:
            self._thread.join(timeout=2)
            try:
                os.close(self.master)
            except OSError:
                pass


def mlkatas_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlkatas", *args]


def scratch_env(workspace: Path) -> dict:
    env = dict(os.environ)
    env[WORKSPACE_ENV] = str(workspace)
    env.setdefault("TERM", "xterm-256color")
    env.pop("NO_COLOR", None)
    return env


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def time_watch(kata: Kata, repeat: int, root: Path) -> tuple[list[float], list[float]]:
    """(save-to-verdict ms, the judge's own grading ms) for `repeat` saves in a real watch."""
    workspace = root / "katas"
    pty = PtyProcess(mlkatas_argv("watch", kata.slug), cwd=root, env=scratch_env(workspace))
    path = workspace / f"{kata.slug}.py"
    latencies, grading = [], []
    try:
        pty.expect(r"watching for saves", timeout=120)
        since = pty.mark()
        _write(path, kata.solution + "\n# warm-up\n")  # the first check waits for the judge to be warm
        pty.expect(r"PASSED", since, timeout=180)
        time.sleep(0.3)
        for i in range(repeat):
            passing = i % 2 == 1
            text = (kata.solution if passing else kata.starter) + f"\n# save {i}\n"
            since = pty.mark()
            started = time.perf_counter()
            _write(path, text)
            found = pty.expect(r"PASSED" if passing else r"\b(FAILED|ERROR|TIMEOUT|MEMORY)\b", since, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
            shown = GRADE_MS.search(pty.text, found.start())
            if shown:
                grading.append(float(shown.group(1)))
            time.sleep(0.25)  # let the screen settle; saves seconds apart, as a learner makes them
        pty.send("q")
        pty.close()
    finally:
        if pty.proc.poll() is None:
            pty.proc.kill()
            pty.close()
    return latencies, grading


def time_cold_check(kata: Kata, repeat: int, root: Path) -> list[float]:
    file = root / "solution.py"
    file.write_text(kata.solution, encoding="utf-8")
    env = scratch_env(root / "cold-katas")
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = subprocess.run(
            mlkatas_argv("check", kata.slug, str(file), "--json"), env=env, cwd=root, capture_output=True
        )
        samples.append((time.perf_counter() - started) * 1000)
        if result.returncode != 0:
            raise RuntimeError(f"the cold check failed (exit {result.returncode}): {result.stderr.decode()[-2000:]}")
    return samples


def bench_watch(kata: Kata, repeat: int, cold: int, out: Console, as_json: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="mlkatas-bench-watch-") as tmp:
        root = Path(tmp)
        if not as_json:
            out.print(f"timing {repeat} saves of {kata.slug} in `mlkatas watch` (pseudo-terminal)…")
        latencies, grading = time_watch(kata, repeat, root)
        if cold and not as_json:
            out.print(f"timing {cold} cold `mlkatas check` runs…")
        cold_samples = time_cold_check(kata, cold, root) if cold else []
    result = {
        "kata": kata.slug,
        "watch_save_to_verdict": summary_ms(latencies),
        "watch_grading_shown": summary_ms(grading) if grading else None,
        "cold_check": summary_ms(cold_samples) if cold_samples else None,
    }
    if as_json:
        print(json.dumps(result, indent=2))
        return result
    table = Table(header_style="bold", show_edge=False)
    for column in ("", "n", "p50 ms", "p90 ms", "min ms", "max ms"):
        table.add_column(column, justify="left" if not column else "right")
    rows = [
        ("watch: save → verdict on screen", result["watch_save_to_verdict"]),
        ("  of which grading (judge's figure)", result["watch_grading_shown"]),
        ("cold `mlkatas check` (new process)", result["cold_check"]),
    ]
    for label, stats in rows:
        if stats:
            table.add_row(
                label, str(stats["n"]), *(f"{stats[k]:.0f}" for k in ("p50_ms", "p90_ms", "min_ms", "max_ms"))
            )
    out.print(table)
    return result
