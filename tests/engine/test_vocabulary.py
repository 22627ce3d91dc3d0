"""One vocabulary of statuses and kinds: the verdict format stays plain strings, and the wire and
the kata format accept exactly the vocabulary's kinds."""

from __future__ import annotations

import json

import pytest

from mlkatas.catalog.kata import VARIANT_KINDS
from mlkatas.engine.verdict import CaseResult, Verdict, status_for
from mlkatas.engine.vocabulary import CaseStatus, Kind, Status, known_kind
from mlkatas.judge.protocol.messages import Load, ProtocolError, decode_run_message


def test_a_verdict_made_of_vocabulary_members_is_plain_strings_in_json():
    verdict = Verdict(
        "split-heads", status_for(Kind.VALUES), "example: values: ...",
        [CaseResult("example", False, CaseStatus.FAILED, Kind.VALUES, "differs"),
         CaseResult("hidden 1", True, CaseStatus.NOT_RUN)],
    )
    assert verdict.status == "failed" and not verdict.passed and verdict.kind == "values"
    data = verdict.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert json.dumps(data["status"]) == '"failed"' and json.dumps(data["cases"][0]["kind"]) == '"values"'
    plain = [data["kata"], data["status"], data["summary"]]
    plain += [v for c in data["cases"] for v in c.values() if v is not None]
    assert all(type(v) in (str, bool) for v in plain), "to_dict() holds plain strings, never enum members"
    assert data["cases"][1] == {"name": "hidden 1", "hidden": True, "status": "not run", "kind": None, "message": ""}


@pytest.mark.parametrize(
    "kind, status",
    [(None, "passed"), ("values", "failed"), ("rearranged", "failed"), ("rule", "failed"),
     ("error", "error"), ("timeout", "timeout"), ("memory", "memory")],
)
def test_the_first_failures_kind_decides_the_status(kind, status):
    assert status_for(kind) == status and isinstance(status_for(kind), Status)


def test_the_wire_and_the_kata_format_take_exactly_the_vocabularys_kinds():
    for kind in Kind:
        message = decode_run_message(json.dumps({"event": "load", "ok": False, "kind": str(kind)}).encode())
        assert isinstance(message, Load) and message.kind == kind
    with pytest.raises(ProtocolError):  # a status is not a kind of mistake
        decode_run_message(b'{"event": "load", "ok": false, "kind": "passed"}')
    assert set(VARIANT_KINDS) == set(Kind)


def test_known_kind_checks_a_childs_word():
    assert known_kind("shape") is Kind.SHAPE
    assert known_kind("passed") is None and known_kind(None) is None and known_kind(["shape"]) is None
