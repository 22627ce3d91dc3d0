"""The control socket between the judge and a zygote: small typed messages, one per datagram.

Both ends are trusted (a zygote never runs learner code; its children do, and they never hold
this socket), so these are checked for shape only. The conversation:

    judge -> zygote   Plan          strict only, first: what to apply and which folders to hide
    zygote -> judge   ZygoteReady   it is warm and serves requests (or ZygoteRefused: a layer failed)
    judge -> zygote   Take          a child for the next job
    zygote -> judge   Handover      its pid, with two descriptors: the judge's end of the child's
                                    job socket, and a pidfd to kill it with (none where the
                                    platform has no pidfd)
    judge -> zygote   Wait          the child ended early (crash, limit, kill): reap it, kill
                                    what it left, and reply with an ExitReport
    judge -> zygote   Release       the child said "done": kill it, kill what it left, reap it
                                    later (no reply: the next request waits behind it)

The judge then speaks to the child directly over its job socket: a LimitsFrame, then a JobFrame
(judge.protocol.messages for what the child answers).
"""

from __future__ import annotations

import os
from typing import TypedDict, Union

import msgspec


class Plan(msgspec.Struct, tag_field="op", tag="plan"):
    plan: str  # worker.init.Plan as JSON


class Take(msgspec.Struct, tag_field="op", tag="take"):
    pass


class Wait(msgspec.Struct, tag_field="op", tag="wait"):
    pid: int


class Release(msgspec.Struct, tag_field="op", tag="release"):
    pid: int


Request = Union[Take, Wait, Release]


class ZygoteReady(msgspec.Struct, tag_field="reply", tag="ready"):
    layers: list[str] = []
    landlock_abi: int = 0


class ZygoteRefused(msgspec.Struct, tag_field="reply", tag="refused"):
    layer: str
    error: str


class Handover(msgspec.Struct, tag_field="reply", tag="handover"):
    pid: int


class ExitReport(msgspec.Struct, tag_field="reply", tag="exit"):
    exit: int  # as os.waitstatus_to_exitcode: negative for a signal
    cpu_s: float


Reply = Union[ZygoteReady, ZygoteRefused, Handover, ExitReport]

_requests = msgspec.json.Decoder(Request)
_replies = msgspec.json.Decoder(Reply)
_plan = msgspec.json.Decoder(Plan)


def encode(message: msgspec.Struct) -> bytes:
    return msgspec.json.encode(message)


def decode_request(raw: bytes) -> Request:
    return _requests.decode(raw)


def decode_reply(raw: bytes) -> Reply:
    return _replies.decode(raw)


def decode_plan(raw: bytes) -> Plan:
    return _plan.decode(raw)


def exit_report(status: int, usage) -> ExitReport:
    """What a zygote says of a child it reaped (os.wait4's status and rusage)."""
    return ExitReport(os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime)


# -- the judge's frames to a child, on its job socket (JSON: the judge is the trusted side) --------
class Limits(TypedDict):
    wall_s: float
    cpu_s: float
    memory_mb: int


class LimitsFrame(TypedDict):
    limits: Limits


class Job(TypedDict):
    source: str
    filename: str
    entry: str
    kind: str  # "function" or "module"
    cases: object  # wire.RawJSON of the cases' input descriptions
    probes: object
    output_bytes: int
    log_bytes: int


class JobFrame(TypedDict):
    job: Job  # the inputs' arena rides along as a descriptor (shared_inputs)
