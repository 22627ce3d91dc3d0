"""The hostile suite's attacks, one or two per class, sent through the practice API to a grader
with the strict sandbox: each gets a verdict (never a 500, never a pass, never an escape), and a
right answer submitted right after still passes."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient

from mlkatas.judge import Judge
from mlkatas.queue.client import GraderClient
from mlkatas.store.submissions import FairUse
from mlkatas.web.app import create_app
from tests.hostile._harness import FIRST_CALL_ONLY, RIGHT, SLUG, attack
from tests.hostile.test_hostile_processes import KILL_PARENT, SUBPROCESS
from tests.hostile.test_hostile_resources import MEMORY_BOMBS
from tests.hostile.test_hostile_secrets import READ_REFERENCE
from tests.hostile.test_hostile_trust import FIND_SESSION, FORGED_STDOUT, FORGERIES, WRONG
from tests.hostile.test_hostile_writes import WRITE_OUTSIDE
from tests.queue._harness import running_grader

REACH_THE_GRADER = '''
import socket
for path in @PATHS@:
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.sendall(b"grade x\\n")
        hit("grader socket", path)
    except BaseException as exc:
        miss("grader socket", exc)
try:
    socket.create_connection(("127.0.0.1", 80), timeout=1)
    hit("tcp", "127.0.0.1:80")
except BaseException as exc:
    miss("tcp", exc)
'''


def attacks(catalog, grader_socket: str, outside) -> dict[str, str]:
    kata = catalog.get(SLUG)
    variants = sorted(str(p) for p in (kata.path / "variants").glob("right_*.py"))
    tag = secrets.token_hex(8)
    return {
        "processes: subprocess, system, spawn": attack(SUBPROCESS),
        "processes: kill the parent": attack(KILL_PARENT),
        "resources: busy loop": "def split_heads(x, num_heads):\n    while True:\n        pass\n",
        "resources: memory bomb": "import torch\n" + FIRST_CALL_ONLY + "    " + MEMORY_BOMBS["touched-pages"] + "\n",
        "secrets: read the reference": attack(READ_REFERENCE, SOLUTION=str(kata.path / "solution.py"),
                                              VARIANTS=variants),
        "trust: forged verdict on stdout": attack(FORGED_STDOUT),
        "trust: forged frames": FIND_SESSION + FORGERIES["done-without-cases"] + WRONG,
        "writes: outside the scratch folder": attack(WRITE_OUTSIDE, TARGETS=[str(outside / "new.txt")],
                                                     VICTIM=str(outside / "victim.txt"), OUTSIDE=str(outside),
                                                     TAG=tag),
        "network: the grader's socket and loopback": attack(REACH_THE_GRADER, PATHS=[grader_socket]),
    }


@pytest.fixture(scope="module")
def strict_judge(catalog):
    with Judge(sandbox="strict", catalog=catalog) as judge:
        yield judge


def test_attacks_through_http_get_verdicts_and_grading_goes_on(tmp_path, catalog, strict_judge):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("original")
    db_url = f"sqlite:///{tmp_path / 'site.db'}"
    with (TestClient(create_app(db_url, catalog, grader=GraderClient(None), fair_use=FairUse(per_minute=100))) as site,
          running_grader(db_url, strict_judge) as grader):
        site.app.state.grader = GraderClient(grader.socket_path)
        for name, source in attacks(catalog, grader.socket_path, outside).items():
            answer = site.post(f"/api/katas/{SLUG}/submissions?wait=60", json={"source": source})
            assert answer.status_code == 201, f"{name}: {answer.status_code} {answer.text[:500]}"
            body = answer.json()
            assert body["state"] == "done", name
            text = answer.text
            assert body["verdict"]["status"] != "passed" and "ESCAPED-" not in text, f"{name}: {text[:2000]}"
            assert "x: torch.Tensor, num_heads: int" not in text, f"{name}: the reference leaked"
            right = site.post(f"/api/katas/{SLUG}/submissions?wait=60", json={"source": RIGHT})
            assert right.json()["verdict"]["status"] == "passed", f"after {name}: {right.text[:1000]}"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert (outside / "victim.txt").read_text() == "original"
