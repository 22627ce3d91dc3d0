"""The issue-2 commands as a user runs them: list, show, check (exit codes 0/1/2), dev check."""

import json
import subprocess
import sys

RIGHT = (
    'from einops import rearrange\n\ndef split_heads(x, num_heads):\n'
    '    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)\n'
)


def mlkatas(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "mlkatas", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_list_json_has_the_documented_fields():
    out = mlkatas("list", "--json")
    assert out.returncode == 0
    katas = json.loads(out.stdout)
    fields = {"slug", "title", "difficulty", "time", "topics", "solved", "started"}
    assert katas and all(set(k) == fields for k in katas)
    assert "split-heads" in [k["slug"] for k in katas]


def test_list_filters():
    easy = json.loads(mlkatas("list", "--difficulty", "easy", "--json").stdout)
    assert easy and all(k["difficulty"] == "easy" for k in easy)
    assert mlkatas("list", "--difficulty", "trivial").returncode == 2


def test_show_prints_the_description_and_signature():
    out = mlkatas("show", "split-heads")
    assert out.returncode == 0
    assert "split_heads(x, num_heads)" in out.stdout and "head-major" in out.stdout


def test_unknown_slug_is_a_usage_error_with_suggestions(tmp_path):
    out = mlkatas("check", "split-head", str(tmp_path / "x.py"))
    assert out.returncode == 2 and "Did you mean: split-heads" in out.stderr


def test_check_exit_codes_and_json(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(RIGHT)
    out = mlkatas("check", "split-heads", str(good), "--json")
    assert out.returncode == 0
    assert json.loads(out.stdout)["status"] == "passed"

    bad = tmp_path / "bad.py"
    bad.write_text(RIGHT.replace("(h d)", "(d h)"))
    out = mlkatas("check", "split-heads", str(bad))
    assert out.returncode == 1
    assert "rearranged" in out.stdout and "(d h)" in out.stdout

    out = mlkatas("check", "split-heads", str(tmp_path / "missing.py"))
    assert out.returncode == 2 and "cannot read" in out.stderr


def test_check_rejects_binary_files_with_a_clear_message(tmp_path):
    junk = tmp_path / "junk.py"
    junk.write_bytes(b"def split_heads(x, n):\n    return x\x00\n")
    out = mlkatas("check", "split-heads", str(junk), "--json")
    assert out.returncode == 1
    verdict = json.loads(out.stdout)
    assert verdict["status"] == "error" and "null byte" in verdict["summary"]


def test_dev_check_one_kata():
    out = mlkatas("dev", "check", "split-heads")
    assert out.returncode == 0 and "ok  split-heads" in out.stdout
