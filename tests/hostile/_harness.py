"""Shared pieces of the hostile suite: how an attack is written, and what "contained" means.

An attack is a learner file for `split-heads`. Its top level tries something it must not be able
to do; whatever it manages is reported through every channel a learner has to the verdict: a
print (the verdict's `output`) and an exception raised by `split_heads` (a case message in
`to_dict()`). When everything is refused, `split_heads` returns its input unchanged, which is
wrong (the shape is (b, n, h*d)), so a contained attack gets a plain "failed" verdict.

The markers are spelled in two halves inside the learner's source so that a traceback quoting a
line of the attack can never look like a success.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import threading
import time

import pytest

# A string that lives only in the memory of the process running the tests (the judge's parent):
# attacks that read another process's memory look for it.
MEMORY_CANARY_PREFIX = "MLKATAS-MEMCANARY-"
MEMORY_CANARY = MEMORY_CANARY_PREFIX + secrets.token_hex(16)

SECRET_ENV = "MLKATAS_HOSTILE_SECRET"

SLUG = "split-heads"
LIMITS = {"wall_s": 3, "cpu_s": 2, "memory_mb": 512}

RIGHT = '''
from einops import rearrange


def split_heads(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
'''

PRELUDE = '''
import os, sys
HITS = []
_ESC = "ESC" + "APED-"


def hit(tag, data=""):
    """The attack did something it must not: say so, with what it got."""
    HITS.append(f"{tag}: {data}"[:3000])
    print(f"{_ESC}{tag}: {data}"[:3000])


def miss(tag, exc):
    print(f"contained {tag}: {type(exc).__name__}: {exc}"[:300])

'''

EPILOGUE = '''

print("ATTACK" + "-RAN")


def split_heads(x, num_heads):
    if HITS:
        raise RuntimeError("exfiltrated " + " | ".join(HITS))
    return x  # wrong on purpose: a contained attack gets "failed"
'''


def attack(body: str, **subs: object) -> str:
    """The learner file: prelude, the attack's top level, the wrong split_heads. `@NAME@` in the
    body is replaced by repr(subs["NAME"])."""
    for key, value in subs.items():
        body = body.replace(f"@{key}@", repr(value))
    left = re.findall(r"@[A-Z_]+@", body)
    assert not left, f"unreplaced placeholders {left}"
    return PRELUDE + body + EPILOGUE


def verdict_text(v) -> str:
    """Everything of a verdict that reaches a learner (and the database)."""
    messages = "\n".join(c.message for c in v.cases)
    return "\n".join([json.dumps(v.to_dict()), v.summary, messages, v.output])


def describe(v) -> str:
    return f"status={v.status} kind={v.kind}\nsummary: {v.summary}\noutput:\n{v.output[:3000]}"


def assert_contained(
    v, *, leaked: tuple[str, ...] = (), statuses: tuple[str, ...] | None = ("failed",), ran: bool = True
) -> None:
    """The verdict is not a pass, no escape was reported, and none of `leaked` reached the verdict."""
    text = verdict_text(v)
    assert v.status != "passed", "a wrong, hostile submission passed\n" + describe(v)
    assert "ESCAPED-" not in text, "the attack reports an escape\n" + describe(v)
    for secret in leaked:
        assert secret not in text, f"a secret reached the verdict ({secret[:6]}...)\n" + describe(v)
    if statuses is not None:
        assert v.status in statuses, f"expected a verdict in {statuses}\n" + describe(v)
    if ran:
        assert "ATTACK-RAN" in v.output, "the attack did not run to its end (so it proves nothing)\n" + describe(v)


def assert_still_grades(judge) -> None:
    """Right after an attack the same judge grades a correct solution correctly, and a wrong one as wrong."""
    v = judge.grade(SLUG, RIGHT, limits={"wall_s": 10, "cpu_s": 5})
    assert v.status == "passed", "the judge no longer grades a correct solution\n" + describe(v)
    v = judge.grade(SLUG, "def split_heads(x, num_heads):\n    return x\n", limits={"wall_s": 10, "cpu_s": 5})
    assert v.status == "failed" and v.kind == "shape", "the judge no longer fails a wrong solution\n" + describe(v)


# -- processes ---------------------------------------------------------------------------------
def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(65536)
    except OSError:
        return b""


def processes_with(marker: str) -> list[int]:
    """Pids (seen from here, the host's view) whose command line, name or environment holds `marker`."""
    needle = marker.encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        for part in ("cmdline", "comm", "environ"):
            if needle in _read(f"/proc/{entry}/{part}"):
                found.append(int(entry))
                break
    return found


def reap(marker: str) -> list[int]:
    """Kill what an escaped attack left running (only processes carrying this test's unique marker)."""
    pids = processes_with(marker)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return pids


def wait_gone(marker: str, within_s: float = 1.0) -> list[int]:
    """Pids still carrying `marker` after a grace period (an escaped process outlives it)."""
    deadline = time.monotonic() + within_s
    while True:
        pids = processes_with(marker)
        if not pids or time.monotonic() > deadline:
            return pids
        time.sleep(0.05)


def process_state(pid: int) -> str | None:
    """The state letter from /proc/PID/stat (R, S, T for stopped, Z...), None when gone."""
    raw = _read(f"/proc/{pid}/stat").decode(errors="replace")
    if not raw:
        return None
    return raw.rsplit(")", 1)[1].split()[0]


def marker() -> str:
    """A unique marker for this attack's traces."""
    return "mk" + secrets.token_hex(6)  # 14 characters: fits a process name (comm)


class ProcessWatch:
    """Polls /proc (the host's view) while an attack runs and records every process that ever
    carried `marker`, however briefly: an exec'd or forked process shows up even if the judge
    kills it a moment later."""

    def __init__(self, marker: str, interval_s: float = 0.02):
        self.marker = marker
        self.interval_s = interval_s
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.seen.update(processes_with(self.marker))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "ProcessWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.seen.update(processes_with(self.marker))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRSS:
    """The judge's own resident memory, sampled while an attack runs: how much it grew."""

    def __init__(self, interval_s: float = 0.01):
        self.interval_s = interval_s
        self.before = self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            self._stop.wait(self.interval_s)

    @property
    def growth_mb(self) -> float:
        return self.peak - self.before

    def __enter__(self) -> "PeakRSS":
        self.before = self.peak = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


# The start of a split_heads that attacks on its first call only and answers wrong (fast) after:
# the hostile part is the same, and 60 more rounds of it would only spend the time limit.
FIRST_CALL_ONLY = '''
_calls = []


def split_heads(x, num_heads):
    _calls.append(1)
    if len(_calls) > 1:
        return x
'''


def attacked_case(verdict):
    """The result of the call that attacked (FIRST_CALL_ONLY: the first, the example). The verdict
    may lead with another case: the most specific failure leads, here the wrong shape returned by
    the later calls, so the attack's own classification is read off its case."""
    first = verdict.cases[0]
    assert first.name == "example", describe(verdict)
    return first


def require_containment(facts: dict, *, no_fork: bool = False) -> None:
    """Fail (never skip) before running an attack that would do real harm if it escaped."""
    own_pid_ns = (
        bool(facts.get("pid_ns")) and facts["pid_ns"] != facts["host_pid_ns"] and len(facts.get("NSpid") or []) > 1
    )
    fork_refused = str(facts.get("fork", "")).startswith("refused")
    if not own_pid_ns:
        pytest.fail(f"refusing to run this attack: the strict child is not in its own PID namespace ({facts})")
    if no_fork and not fork_refused:
        pytest.fail(f"refusing to run this attack: the strict child can fork ({facts})")
