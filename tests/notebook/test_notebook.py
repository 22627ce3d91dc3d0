"""`from mlkatas.notebook import start, check` in a real notebook run by a real kernel, and in a
plain Python session."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests._practice import TINY_WRONG, base_env, write_tiny_pack

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

KERNEL = "mlkatas-test-python"

CORRECT = '''\
def split_heads(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)

check("split-heads", split_heads)
'''

WRONG = '''\
def split_heads(x, num_heads):
    b, n, d = x.shape
    return x.reshape(b, n, d // num_heads, num_heads).permute(0, 3, 1, 2)

verdict = check("split-heads", split_heads)
print("status:", verdict.status, verdict.passed)
'''


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """A kernelspec running this interpreter (so the kernel sees this mlkatas), found through
    JUPYTER_PATH; runtime files in the test's folder."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "mlkatas test", "language": "python",
        })
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MLKATAS_PACKS", str(write_tiny_pack(tmp_path)))
    monkeypatch.delenv("MLKATAS_WORKSPACE", raising=False)
    return tmp_path


def html_of(cell) -> list[str]:
    shown = [o for o in cell.outputs if o.get("output_type") in ("display_data", "execute_result")]
    return [o["data"]["text/html"] for o in shown if "text/html" in o.get("data", {})]


def test_a_notebook_starts_a_kata_and_checks_functions(kernel_env):
    cells = [
        'from mlkatas.notebook import start, check\nstart("split-heads")',
        "import torch\nfrom einops import rearrange",  # imports in their own cell, as notebooks have them
        CORRECT,
        WRONG,
        "verdict",  # shown again, later
        f'check("tiny-transpose", {TINY_WRONG!r})',
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    replies = {}
    client = nbclient.NotebookClient(
        nb, kernel_name=KERNEL, timeout=180, resources={"metadata": {"path": str(kernel_env)}},
        on_cell_executed=lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply),
    )
    client.execute()

    started = nb.cells[0]
    markdown = [o["data"]["text/markdown"] for o in started.outputs if "text/markdown" in o.get("data", {})]
    assert markdown and "Multi-Head Attention" in markdown[0] and "split_heads(x, num_heads)" in markdown[0]
    payload = replies[0]["content"]["payload"]
    next_cell = [p["text"] for p in payload if p.get("source") == "set_next_input"]
    assert next_cell and "def split_heads" in next_cell[0] and 'check("split-heads", split_heads)' in next_cell[0]

    passed = html_of(nb.cells[2])
    assert len(passed) == 1, "the verdict is shown once, even as the cell's value"
    assert "PASSED" in passed[0] and "61/61" in passed[0]

    failed = nb.cells[3]
    assert len(html_of(failed)) == 1 and "FAILED" in html_of(failed)[0] and "rearranged" in html_of(failed)[0]
    assert "The same mistake on a small case" in html_of(failed)[0] and "<table" in html_of(failed)[0]
    assert "status: failed False" in "".join(o.get("text", "") for o in failed.outputs)
    assert "FAILED" in html_of(nb.cells[4])[0]

    grid = html_of(nb.cells[5])[0]
    assert "expected (3, 2), got (3, 2)" in grid and "4 of 6 cells differ" in grid
    assert grid.count("<table") == 2 and "rgba(207,34,46" in grid  # the differing cells are marked


def test_plain_python_gets_text(tmp_path):
    script = tmp_path / "practice.py"
    script.write_text(
        textwrap.dedent(
            """
            import torch
            from mlkatas.notebook import check, start

            start("split-heads")

            def split_heads(x, num_heads):
                b, n, d = x.shape
                return x.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)

            verdict = check("split-heads", split_heads)
            print("passed:", verdict.passed)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=base_env(), capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert "Multi-Head Attention" in result.stdout and "raise NotImplementedError" in result.stdout
    assert "PASSED" in result.stdout and "passed: True" in result.stdout


LOOPED_SPLIT = (
    "import torch\n\n\n"
    "def split_heads(x, num_heads):\n"
    "    d = x.shape[2] // num_heads\n"
    "    return torch.stack([x[:, :, i * d:(i + 1) * d] for i in range(num_heads)], dim=1)\n"
)


def test_a_pass_with_a_loop_shows_the_vectorised_form_in_html_and_text(capsys):
    from mlkatas.notebook import check

    verdict = check("split-heads", LOOPED_SPLIT)  # plain Python here: shown as text at once
    printed = capsys.readouterr().out
    assert verdict.passed
    assert "the vectorised form" in printed and "with a comprehension (line 6)" in printed
    html = verdict._repr_html_()
    assert "the vectorised form" in html and "b n (h d) -&gt; b h n d" in html
    vectorised = check("split-heads", "from einops import rearrange\n\n\ndef split_heads(x, num_heads):\n"
                       "    return rearrange(x, 'b n (h d) -> b h n d', h=num_heads)\n", show=False)
    assert vectorised.passed and "the vectorised form" not in vectorised._repr_html_()
