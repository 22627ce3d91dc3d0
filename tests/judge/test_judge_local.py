"""The judge's public contract in local mode: statuses, kinds, messages a learner can act on."""

import json
import os
import time

import pytest

from mlkatas.catalog import UnknownKata

RIGHT = """
from einops import rearrange

def split_heads(x, num_heads):
    return rearrange(x, "b n (h d) -> b h n d", h=num_heads)
"""


def body(code: str) -> str:
    return "import torch\n\ndef split_heads(x, num_heads):\n" + "".join(f"    {line}\n" for line in code.splitlines())


def test_verdict_dict_has_the_documented_shape(judge):
    v = judge.grade("split-heads", RIGHT)
    assert v.status == "passed"
    d = v.to_dict()
    assert set(d) == {"kata", "status", "summary", "cases", "elapsed_ms"}
    assert d["kata"] == "split-heads" and d["status"] == "passed"
    assert len(d["cases"]) >= 51
    assert all(set(c) == {"name", "hidden", "status", "kind", "message"} for c in d["cases"])
    assert sum(not c["hidden"] for c in d["cases"]) >= 1
    assert sum(c["hidden"] for c in d["cases"]) >= 50
    json.dumps(d)  # plain data


def test_grading_is_reproducible(judge):
    wrong = body("return x.reshape(x.shape[0], num_heads, x.shape[1], -1)")
    a, b = judge.grade("split-heads", wrong).to_dict(), judge.grade("split-heads", wrong).to_dict()
    assert [c["status"] for c in a["cases"]] == [c["status"] for c in b["cases"]]
    assert a["summary"] == b["summary"]


def test_syntax_error_names_the_line(judge):
    v = judge.grade("split-heads", "import torch\n\ndef split_heads(x, num_heads)\n    return x\n")
    assert v.status == "error" and v.kind == "error"
    assert "SyntaxError" in v.summary and "line 3" in v.summary


def test_missing_function_names_the_expected_signature(judge):
    v = judge.grade("split-heads", "def split_head(x, n):\n    return x\n")
    assert v.status == "error"
    assert "split_heads(x, num_heads)" in v.summary


def test_exception_shows_the_learners_line(judge):
    v = judge.grade("split-heads", body("y = x.view(7, 7, 7)\nreturn y"))
    assert v.status == "error"
    failure = v.first_failure
    assert "RuntimeError" in failure.message and "line 4" in failure.message and "x.view(7, 7, 7)" in failure.message


def test_starter_placeholder_is_an_error_not_a_pass(judge, catalog):
    v = judge.grade("split-heads", catalog.get("split-heads").starter)
    assert v.status == "error" and "NotImplementedError" in v.summary


@pytest.mark.parametrize(
    "source, words",
    [
        ("def split_heads(x, num_heads):\n    return None\n", "got None"),
        ("def split_heads(x, num_heads):\n    yield x\n", "generator"),
        ("def split_heads(x, num_heads):\n    return x.numpy()\n", "numpy.ndarray"),
        ("def split_heads(x, num_heads):\n    return [x]\n", "got list"),
        ("def split_heads(x, num_heads):\n    return 3.0\n", "float"),
    ],
)
def test_wrong_return_types_get_type(judge, source, words):
    v = judge.grade("split-heads", source)
    assert v.status == "failed" and v.kind == "type"
    assert words in v.first_failure.message


def test_null_bytes_non_utf8_and_huge_files_are_rejected_clearly(judge):
    v = judge.grade("split-heads", RIGHT + "\x00")
    assert v.status == "error" and "null byte" in v.summary and "line 6, column 1" in v.summary
    v = judge.grade("split-heads", RIGHT.encode() + b"# caf\xe9\n")
    assert v.status == "error" and "not UTF-8" in v.summary and "line 6" in v.summary
    v = judge.grade("split-heads", RIGHT + "#" * 1_100_000)
    assert v.status == "error" and "limit is 1,000,000 bytes" in v.summary


SPLIT = "out = x.reshape(x.shape[0], x.shape[1], num_heads, -1).transpose(1, 2).clone()"


@pytest.mark.parametrize("change", [
    pytest.param("x.add_(1)", id="in-place-op"),
    pytest.param("x[..., :1] = 7", id="item-assignment"),
    pytest.param("x.data.add_(1)", id="through-data"),  # no version counter sees this one
    pytest.param("x.transpose_(0, 1)", id="layout-only"),
    pytest.param("x.set_(x.clone())", id="new-storage"),
])
def test_a_changed_input_is_caught_however_it_was_changed(judge, change):
    v = judge.grade("split-heads", body(f"{SPLIT}\n{change}\nreturn out"))
    assert v.kind == "mutated_input", v.summary
    assert "changed its input x" in v.summary


def test_changes_undone_before_returning_are_not_a_mutation(judge):
    v = judge.grade("split-heads", body(f"{SPLIT}\nx.unsqueeze_(0)\nx.squeeze_(0)\nx.mul_(1)\nreturn out"))
    assert v.status == "passed", v.summary


def test_unknown_kata_suggests(judge):
    with pytest.raises(UnknownKata, match="split-heads"):
        judge.grade("splitheads", RIGHT)


def test_shape_dtype_and_mutation_kinds(judge):
    v = judge.grade("split-heads", body("return x.reshape(x.shape[0], x.shape[1], num_heads, -1)"))
    assert v.kind == "shape" and "expected (16, 12, 100, 64)" in v.summary
    v = judge.grade(
        "split-heads", body("return x.double().reshape(x.shape[0], x.shape[1], num_heads, -1).transpose(1, 2)")
    )
    assert v.kind == "dtype" and "float64" in v.summary
    v = judge.grade("split-heads", body(
        "x.mul_(1)\nx.transpose_(0, 1)\n"
        "return x.transpose(0, 1).reshape(x.shape[1], x.shape[0], num_heads, -1).transpose(1, 2)"
    ))
    assert v.kind == "mutated_input" and "changed its input x" in v.summary


def test_rearranged_says_how_elements_moved_in_einops_notation(judge):
    v = judge.grade(
        "split-heads",
        "from einops import rearrange\ndef split_heads(x, num_heads):\n"
        "    return rearrange(x, 'b n (d h) -> b h n d', h=num_heads)\n",
    )
    assert v.kind == "rearranged"
    assert "rearrange(x, 'b n (d h) -> b h n d')" in v.summary
    assert "rearrange(x, 'b n (h d) -> b h n d')" in v.summary


def test_values_kind_and_hidden_cases_keep_their_data(judge):
    v = judge.grade("split-heads", body(
        "b, n, d = x.shape\nout = x.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)\n"
        "return out + (out.numel() < 10_000)"
    ))
    assert v.status == "failed"
    hidden = [c for c in v.cases if c.hidden and c.status == "failed"]
    assert hidden and all(c.kind == "values" for c in hidden)
    assert all("expected" not in c.message.split("inputs:")[0] or "got" not in c.message for c in hidden)
    assert all(c.seed is not None and f"(seed {c.seed})" in c.message for c in hidden)  # each front end offers it


def test_seed_reruns_an_analogous_case_with_visible_values(judge):
    wrong = body("b, n, d = x.shape\nout = x.reshape(b, n, num_heads, d // num_heads).transpose(1, 2)\nreturn out + 1")
    v = judge.grade("split-heads", wrong)
    hidden = next(c for c in v.cases if c.hidden)
    seed = hidden.seed
    assert seed is not None and f"(seed {seed})" in hidden.message
    one = judge.grade("split-heads", wrong, seed=seed)
    assert len(one.cases) == 1 and one.cases[0].kind == "values"
    assert "expected" in one.cases[0].message and "got" in one.cases[0].message
    assert (hidden.message.split("inputs: ")[1].split("\n")[0]
            == one.cases[0].message.split("inputs: ")[1].split("\n")[0])


def test_timeout_names_the_limit(judge):
    v = judge.grade("split-heads", body("while True:\n    pass"), limits={"wall_s": 15, "cpu_s": 1})
    assert v.status == "timeout" and "CPU time limit of 1 s" in v.summary
    v = judge.grade("split-heads", "import time\n" + body("time.sleep(60)"), limits={"wall_s": 1.5})
    assert v.status == "timeout" and "wall-clock limit of 1.5 s" in v.summary
    assert judge.grade("split-heads", RIGHT).status == "passed"


def test_memory_exhaustion_is_a_memory_verdict(judge):
    v = judge.grade("split-heads", body("big = torch.ones(2**34)\nreturn big"), limits={"memory_mb": 512})
    assert v.status == "memory" and v.kind == "memory"
    assert judge.grade("split-heads", RIGHT).status == "passed"


def test_prints_are_kept_and_cut(judge):
    v = judge.grade("split-heads", "print('hello from the learner')\n" + RIGHT)
    assert v.status == "passed" and "hello from the learner" in v.output
    v = judge.grade("split-heads", "print('y' * 200_000)\n" + RIGHT, limits={"log_kb": 1})
    assert len(v.output) < 2000 and "more characters of output cut" in v.output


def _read_as_the_judge_does(suite, frames):
    """Feed frames (header dicts with their blobs) through the protocol and a RunReader, as a run
    would, and grade what it kept."""
    import json

    from mlkatas.engine.grading import grade_report
    from mlkatas.judge.judge import RunReader, encode_inputs
    from mlkatas.judge.protocol import messages as protocol
    from mlkatas.judge.protocol.shared_inputs import SharedInputs
    from mlkatas.judge.worker.zygote import ChildRun

    inputs = encode_inputs(suite)
    run = ChildRun()
    with SharedInputs(inputs.arena) as shared:
        reader = RunReader(suite, suite.kata.limits, inputs, shared)
        try:
            for header, blobs in frames:
                message = protocol.decode_run_message(json.dumps({**header, "blobs": [len(b) for b in blobs]}).encode())
                reader.feed(message, blobs)
                run.finished = isinstance(message, protocol.Done)
        except protocol.ProtocolError as exc:
            run.violation = str(exc)
        report = reader.finish(run)
    return grade_report(suite, report, 0.0)


def _case_frames(suite, wrong_at: int) -> list:
    from mlkatas.judge.protocol import wire

    frames = [({"event": "load", "ok": True}, [])]
    for index, expected in enumerate(suite.expected):
        blobs: list[bytes] = []
        output = wire.encode(expected + 1 if index == wrong_at else expected, blobs)
        item = {"i": index, "ok": True, "output": output, "mutated": [], "value": None, "compared": None}
        frames.append(({"event": "cases", "items": [item]}, blobs))
    return frames


def test_what_a_child_reports_cannot_stand_in_for_the_judges_comparison(judge):
    """Outputs are compared by the judge as they arrive; a child's message that carries its own
    "value" or "compared" fields changes nothing."""
    suite = judge.suite("split-heads")
    verdict = _read_as_the_judge_does(suite, _case_frames(suite, 3) + [({"event": "done", "log": ""}, [])])
    assert verdict.status == "failed" and verdict.kind == "values", verdict.summary
    assert [c.name for c in verdict.cases if c.status == "failed"] == [suite.cases[3].name]


def test_a_case_reported_twice_is_data_the_judge_cannot_read(judge):
    """A second report for a case (here: the wrong case 3 again, now right) is not the protocol:
    the run is an error, and neither report stands."""
    from mlkatas.judge.protocol import wire

    suite = judge.suite("split-heads")
    blobs: list[bytes] = []
    again = (
        {"event": "cases", "items": [{"i": 3, "ok": True, "output": wire.encode(suite.expected[3], blobs)}]}, blobs
    )
    verdict = _read_as_the_judge_does(suite, _case_frames(suite, 3) + [again, ({"event": "done", "log": ""}, [])])
    assert verdict.status == "error", verdict.summary
    assert "the submission sent data the judge could not read" in verdict.summary
    assert "case 3" in verdict.summary


def test_a_worn_out_zygote_is_replaced_and_grading_goes_on(catalog):
    from mlkatas.judge import Judge

    # recycle_after=2 instead of 1000, to see it happen
    with Judge(sandbox="local", catalog=catalog, workers=1, recycle_after=2) as judge:
        judge.start()
        [first] = judge.worker_pids()
        statuses = [judge.grade("split-heads", RIGHT).status for _ in range(4)]
        assert statuses == ["passed"] * 4
        assert first not in judge.worker_pids()
        deadline = time.monotonic() + 15  # it is closed in the background
        while os.path.exists(f"/proc/{first}") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(f"/proc/{first}")


def test_a_syntax_error_on_a_huge_line_keeps_its_message(judge):
    """A minified line of 600 KB with a syntax error: the learner is told where, not that the
    judge could not read the report (messages are clipped in the child to what the protocol takes)."""
    v = judge.grade("split-heads", "x = [" + "1, " * 200_000 + "\n")
    assert v.status == "error", v.summary
    assert "SyntaxError on line 1" in v.summary and "never closed" in v.summary, v.summary
    assert len(v.cases[0].message) < 5000


def _my_zygotes() -> set[int]:
    """Zygote processes this test process started (host view of /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                    line = cmd.read()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == os.getpid() and b"zygote_main" in line:
                found.add(int(entry))
    return found


def test_a_judge_started_in_the_background_grades_and_one_closed_while_starting_leaves_nothing(catalog):
    from mlkatas.judge import Judge

    before = _my_zygotes()
    with Judge(sandbox="local", catalog=catalog, workers=1) as judge:
        judge.start(wait=False)  # what a one-off `check` does: build the cases meanwhile
        assert judge.grade("split-heads", RIGHT).status == "passed"
    closed_early = Judge(sandbox="local", catalog=catalog, workers=1)
    closed_early.start(wait=False)
    closed_early.close()  # before the zygote could even import torch
    deadline = time.monotonic() + 30
    while _my_zygotes() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _my_zygotes() - before, "a zygote outlived the judge that started it"
