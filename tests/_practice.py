"""Helpers for the practice tests: run the real `mlkatas` command, and a tiny kata pack whose
visible example is small enough to draw as a grid."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")

TINY_SOLUTION = "import torch\n\n\ndef tiny_transpose(x):\n    return x.transpose(0, 1)\n"
TINY_WRONG = "import torch\n\n\ndef tiny_transpose(x):\n    return x.reshape(x.shape[1], x.shape[0])\n"


def base_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLKATAS_")}
    env.update(COLUMNS="160", NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def mlkatas(*args: str, cwd: Path, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """`python -m mlkatas ARGS` in `cwd`, as a learner would run it."""
    result = subprocess.run(
        [sys.executable, "-m", "mlkatas", *args],
        cwd=cwd, env=env or base_env(), capture_output=True, text=True, timeout=timeout,
    )
    result.stdout = ANSI.sub("", result.stdout)
    result.stderr = ANSI.sub("", result.stderr)
    return result


def mlkatas_json(*args: str, cwd: Path, env: dict | None = None):
    result = mlkatas(*args, "--json", cwd=cwd, env=env)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def write_tiny_pack(root: Path) -> Path:
    """A one-kata pack (`tiny-transpose`, a 2x3 visible example) for MLKATAS_PACKS."""
    kata = root / "tinypack" / "tiny-transpose"
    kata.mkdir(parents=True)
    (kata / "kata.toml").write_text(
        'slug = "tiny-transpose"\ntitle = "Tiny Transpose"\ndifficulty = "easy"\ntime = "<10 mins"\n'
        'topics = ["testing"]\nentry = "tiny_transpose"\nsignature = "tiny_transpose(x)"\nexact = true\n'
        'hidden_cases = 5\nhints = ["Swap the two axes.", "`x.transpose(0, 1)`"]\n'
    )
    (kata / "README.md").write_text("# Tiny Transpose\n\nReturn `x` (H, W) transposed: (W, H).\n")
    (kata / "starter.py").write_text("import torch\n\n\ndef tiny_transpose(x):\n    raise NotImplementedError\n")
    (kata / "solution.py").write_text(TINY_SOLUTION)
    (kata / "cases.py").write_text(
        "def example(g):\n    return g.case(g.tensor((2, 3), 'int64', layout='contiguous'))\n\n\n"
        "def hidden(g):\n    return g.case(g.tensor((g.size('H', 2, 4), g.size('W', 2, 4)), 'int64'))\n"
    )
    return root / "tinypack"
