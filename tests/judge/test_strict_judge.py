"""The strict judge: every sandbox layer or a refusal that names the missing one, a pool that
recovers from a dead zygote, limits that end in `timeout`/`memory` with the limit named, and
nothing carried from one submission to the next. (Attacks are in tests/hostile/.)"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mlkatas.judge import Judge, SandboxUnavailable
from mlkatas.judge.sandbox.modes import LAYERS, SIMULATE_ENV, probe_kernel

SLUG = "split-heads"
RIGHT = '''
from einops import rearrange


def split_heads(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
'''
WRONG = '''
def split_heads(x, num_heads):
    b, n, d = x.shape
    return x.reshape(b, num_heads, n, d // num_heads)
'''


def body(top: str = "", inside: str = "") -> str:
    """A right solution with `top` at module level and `inside` run at each call."""
    inner = "\n".join("    " + line for line in inside.strip().splitlines())
    return (
        f"{top}\nfrom einops import rearrange\n\n\ndef split_heads(x, num_heads):\n{inner}\n"
        "    return rearrange(x, 'b n (h d) -> b h n d', h=num_heads)\n"
    )


@pytest.fixture(scope="module")
def strict(catalog):
    with Judge(sandbox="strict", catalog=catalog, workers=2) as judge:
        yield judge


# -- the sandbox is there, or strict mode says what is missing -------------------------------
def test_probe_finds_every_layer_here():
    missing = {layer: why for layer, why in probe_kernel().items() if why}
    assert not missing, f"this machine should offer every strict layer: {missing}"


def test_reference_passes_and_a_mistake_fails(strict):
    assert strict.grade(SLUG, RIGHT).status == "passed"
    verdict = strict.grade(SLUG, WRONG)
    assert verdict.status == "failed" and verdict.kind == "rearranged"


def test_a_missing_layer_is_named_and_strict_mode_refuses(monkeypatch, catalog):
    monkeypatch.setenv(SIMULATE_ENV, "landlock")
    with pytest.raises(SandboxUnavailable, match="landlock") as caught:
        Judge(sandbox="strict", catalog=catalog)
    assert set(caught.value.missing) == {"landlock"}
    assert "allow_weaker" in str(caught.value)


def test_an_unknown_simulated_layer_is_an_error(monkeypatch, catalog):
    monkeypatch.setenv(SIMULATE_ENV, "moat")
    with pytest.raises(ValueError, match="moat"):
        Judge(sandbox="strict", catalog=catalog)


def test_allow_weaker_runs_without_the_layer_and_says_so(monkeypatch, catalog, caplog):
    monkeypatch.setenv(SIMULATE_ENV, "seccomp")
    with caplog.at_level(logging.WARNING, logger="mlkatas.judge"):
        judge = Judge(sandbox="strict", catalog=catalog, workers=1, allow_weaker=True)
    assert "without seccomp" in caplog.text
    assert "seccomp" not in judge.sandbox_plan.layers and len(judge.sandbox_plan.layers) == len(LAYERS) - 1
    with judge:
        verdict = judge.grade(SLUG, RIGHT)
    assert verdict.status == "passed"
    assert "weaker strict sandbox" in verdict.summary and "seccomp" in verdict.summary


def test_cli_check_in_strict_mode(tmp_path):
    solution = tmp_path / "split_heads.py"
    solution.write_text(RIGHT)
    done = subprocess.run(
        [sys.executable, "-m", "mlkatas", "check", SLUG, str(solution), "--sandbox", "strict", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert '"status": "passed"' in done.stdout


# -- containment basics (the hostile suite has the rest) --------------------------------------
def test_packs_are_hidden_and_the_package_is_read_only(strict):
    packs = Path(__file__).resolve().parents[2] / "src" / "mlkatas" / "packs"
    top = f'''
import os
found = []
for path in [{str(packs / "einops" / SLUG / "solution.py")!r}, {str(packs)!r}, "/etc/passwd"]:
    try:
        found.append(open(path).read() if os.path.isfile(path) else os.listdir(path))
    except OSError:
        pass
for path in [{str(packs.parent / "evil.py")!r}, "/tmp/evil.py"]:
    try:
        open(path, "w").write("x")
        found.append(path)
    except OSError:
        pass
if found:
    raise SystemExit("escaped: " + repr(found)[:300])
'''
    verdict = strict.grade(SLUG, body(top))
    assert verdict.status == "passed", verdict.summary


def test_no_fork_exec_or_socket(strict):
    top = '''
import os, socket, subprocess
escaped = []
for attempt in (os.fork, lambda: subprocess.run(["true"]), lambda: socket.socket(),
                lambda: os.kill(1, 9), lambda: os.kill(-1, 9), lambda: os.kill(os.getppid(), 9)):
    try:
        attempt()
        escaped.append(attempt)
    except OSError:
        pass
if escaped:
    raise SystemExit(f"escaped: {escaped}")
'''
    verdict = strict.grade(SLUG, body(top))
    assert verdict.status == "passed", verdict.summary


def test_nothing_reaches_the_next_submission(strict):
    plant = body('''
import os, sys, torch
open("planted.py", "w").write("VALUE = 1")
open(os.path.join(os.environ["TMPDIR"], "note.txt"), "w").write("x")
torch.planted = True
sys.modules["einops"].planted = True
os.environ["PLANTED"] = "1"
''')
    look = body('''
import os, sys, torch, einops
left = [name for name in ("planted.py", "note.txt") if os.path.exists(name)]
left += os.listdir(".") + os.listdir(os.environ["TMPDIR"])
if hasattr(torch, "planted") or hasattr(einops, "planted") or "PLANTED" in os.environ:
    left.append("module state")
try:
    import planted
    left.append("importable module")
except ImportError:
    pass
if left:
    raise SystemExit(f"left behind: {left}")
''')
    for _ in range(3):  # several rounds, on whichever zygote each lands
        assert strict.grade(SLUG, plant).status == "passed"
        verdict = strict.grade(SLUG, look)
        assert verdict.status == "passed", verdict.summary


# -- limits ----------------------------------------------------------------------------------
def test_wall_clock_limit(strict):
    verdict = strict.grade(SLUG, body("import time\ntime.sleep(30)"), limits={"wall_s": 1, "cpu_s": 10})
    assert verdict.status == "timeout"
    assert "wall-clock limit of 1 s" in verdict.summary


def test_cpu_time_limit(strict):
    verdict = strict.grade(SLUG, body("while True:\n    pass"), limits={"wall_s": 20, "cpu_s": 1})
    assert verdict.status == "timeout"
    assert "CPU time limit of 1 s" in verdict.summary


def test_memory_limit(strict):
    verdict = strict.grade(SLUG, body("import torch\nhog = torch.ones(2**28)"), limits={"memory_mb": 256})
    assert verdict.status == "memory"
    assert "256 MB" in verdict.first_failure.message


def test_output_size_limit(strict):
    code = body(inside="return x.repeat(1, 1, 64).reshape(x.shape[0], num_heads, x.shape[1], -1)")
    verdict = strict.grade(SLUG, code, limits={"output_mb": 1})
    # the verdict leads with the most specific diagnosis (the last axis 64 times too wide, a shape
    # failure on a small case); the cap shows on the cases whose outputs went over it
    assert verdict.status == "failed" and "(64 × d)" in verdict.summary
    example = verdict.cases[0]
    assert example.kind == "memory"
    assert example.message.startswith("the returned tensors hold 300.0 MiB, over the limit of 1.0 MiB on what one run")
    later = [c for c in verdict.cases[1:] if c.kind == "memory"]
    assert later and all("after the earlier cases) of the limit of 1.0 MiB" in c.message for c in later)


def test_log_size_limit(strict):
    verdict = strict.grade(SLUG, body('print("x" * 100_000)'), limits={"log_kb": 1})
    assert verdict.status == "passed"
    assert verdict.output.startswith("x" * 1000)
    assert "more characters of output cut" in verdict.output
    assert len(verdict.output) < 1200


# -- the pool ----------------------------------------------------------------------------------
def test_concurrent_grading_from_several_threads(strict):
    results: dict[int, str] = {}

    def grade(i: int) -> None:
        results[i] = strict.grade(SLUG, RIGHT if i % 2 == 0 else WRONG).status

    threads = [threading.Thread(target=grade, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == {i: "passed" if i % 2 == 0 else "failed" for i in range(8)}


def test_a_dead_zygote_is_replaced(strict):
    slow = body("import time\ntime.sleep(5)")
    verdicts = []
    worker = threading.Thread(target=lambda: verdicts.append(strict.grade(SLUG, slow)))
    before = set(strict.worker_pids())
    worker.start()
    time.sleep(1.5)  # the submission is running in one of the zygotes
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    worker.join(60)
    assert verdicts and verdicts[0].status == "error"
    assert "recover" in verdicts[0].summary
    assert strict.grade(SLUG, RIGHT).status == "passed"
    assert not before & set(strict.worker_pids())


def test_the_compiled_filter_refuses_for_this_child_and_allows_its_own_signals():
    """The filter is compiled once with a placeholder pid; each child patches in its own. Run in
    a fresh interpreter: once loaded, a filter cannot be removed."""
    code = """
import os, signal
from mlkatas.judge.sandbox import linux, seccomp
program = seccomp.compile_program()
linux.set_no_new_privs()
seccomp.load_program(program, os.getpid())
os.kill(os.getpid(), 0)  # itself: allowed
results = []
for attempt in (lambda: os.kill(os.getppid(), 0), os.fork, lambda: __import__("socket").socket()):
    try:
        attempt()
        results.append("allowed")
    except PermissionError:
        results.append("refused")
print(results)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['refused', 'refused', 'refused']"


def test_the_judge_readies_the_next_child_between_submissions(strict):
    assert strict.grade(SLUG, RIGHT).status == "passed"
    assert strict.ready(timeout=30)
    assert strict.grade(SLUG, WRONG).status == "failed"
    assert strict.ready(timeout=30)
    assert strict.grade(SLUG, RIGHT).status == "passed"
