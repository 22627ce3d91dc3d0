"""Attacks with the data a child sends back: JSON the parent parses without trouble but cannot use
(Infinity, NaN, 400-digit numbers, a field of the wrong type), and floods of small, valid-looking
JSON that costs the parent far more memory than its bytes.

The child is the learner's process, so everything it writes on its job socket is hostile input.
Two promises are checked here. Whatever the child sends, `Judge.grade` returns a verdict (a
submission must never make the judge raise), data outside the wire's schema is an `error`
verdict that says "the submission sent data the judge could not read", and in strict mode such a
run leaves nothing behind in the zygote's init (no scratch tmpfs, no descriptor). And one
submission cannot grow the judge's own process by more than a bounded amount, however many
frames, items or case indices it sends.

The attacks reach the socket three ways, as a learner would: by replacing the harness's
`wire.send_frame` and tampering with the real frames on their way out (the right answer goes with
them, so only the tampered field can fail the grade), through the harness's `ChildSession`
found with `gc`, and by scanning the descriptors for a socket. Frames use the real framing: an
8-byte big-endian header length, the UTF-8 JSON header whose "blobs" lists the sizes of the
blobs, then the blobs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import time

import pytest

from ._harness import LIMITS, RIGHT, SLUG, PeakRSS, assert_still_grades, describe

UNREADABLE = "could not read"  # "the submission sent data the judge could not read"

# -- how a child writes frames ---------------------------------------------------------------------
FRAMING = '''
import gc, json, os, stat, struct


def frame(header, blobs=()):
    """The real framing. json.dumps writes what JSON does not have: Infinity, NaN, 400-digit ints."""
    raw = json.dumps({**header, "blobs": [len(b) for b in blobs]}).encode()
    return struct.pack(">Q", len(raw)) + raw + b"".join(blobs)


def raw_frame(text, blobs=()):
    """A frame whose header is JSON text written by hand."""
    raw = text.encode()
    return struct.pack(">Q", len(raw)) + raw + b"".join(blobs)


def socket_fd(scan=False):
    """The job socket: the harness's session (found with gc), or the only socket among the
    descriptors."""
    for obj in [] if scan else gc.get_objects():
        if type(obj).__name__ == "ChildSession":
            return obj.sock.fileno()
    for fd in range(3, 1024):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            pass
    raise RuntimeError("no job socket found")


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
'''

# The harness's own frames, tampered with on their way out: `tamper(header)` edits one field.
TAMPER = FRAMING + '''
import mlkatas.judge.protocol.wire as wire

TAMPERED = []


def send_frame(sock, header, blobs=()):
    header = json.loads(json.dumps(header))  # a copy: the harness may reuse its dicts
    if not TAMPERED and tamper(header):
        TAMPERED.append(True)
    write_all(sock.fileno(), frame(header, list(blobs)))


wire.send_frame = send_frame


def first_case(header):
    """Case 0's report in a "cases" frame (its output is the right answer), or None."""
    if header.get("event") != "cases":
        return None
    return next((item for item in header.get("items", []) if item.get("i") == 0), None)

'''

BIG = "10**399"  # 400 digits: valid JSON, and within Python's int/str conversion limit of 4300 digits


def tampered_case(edit: str) -> str:
    """A right split_heads whose report of case 0 has `edit` applied to it (`item`)."""
    return TAMPER + f'''
def tamper(header):
    item = first_case(header)
    if item is None:
        return False
    {edit}
    return True

''' + RIGHT


def grade(judge, source: str, slug: str = SLUG, limits: dict = LIMITS):
    """A verdict, or a test failure that says the judge raised (what these attacks did)."""
    try:
        return judge.grade(slug, source, limits=limits)
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail(f"Judge.grade raised {type(exc).__name__}: {exc} (it must return a verdict)", pytrace=False)


def assert_unreadable(v) -> None:
    assert v.status == "error" and UNREADABLE in v.summary, (
        "data outside the wire's schema must give an error verdict saying the judge could not read it\n" + describe(v))


# == class 3: data the parent cannot use ==========================================================
# as Python source in the child: json.dumps writes them as Infinity, -Infinity, NaN and 400 digits
NUMBERS = {"Infinity": 'float("inf")', "-Infinity": '-float("inf")', "NaN": 'float("nan")', "400-digits": BIG}

VALUE_ROUTES = {
    # a plain Python value: the child's encoder sends floats that JSON lacks as text, ints over 64 bits as "other"
    **{f"value-{name}": f'item["output"] = {{"t": "py", "v": {number}}}' for name, number in NUMBERS.items()},
    # a float sent as text... as a number instead
    "float-value-400-digits": f'item["output"] = {{"t": "float", "v": {BIG}}}',
    "float-value-Infinity": 'item["output"] = {"t": "float", "v": float("inf")}',
    # inside a list the parent rebuilds
    "list-value-Infinity": 'item["output"] = {"t": "list", "items": [{"t": "py", "v": float("inf")}]}',
    **{f"shape-{name}": f'item["output"]["shape"][0] = {number}' for name, number in NUMBERS.items()},
    **{f"blob-index-{name}": f'item["output"]["blob"] = {number}' for name, number in NUMBERS.items()},
}


@pytest.mark.parametrize("route", sorted(VALUE_ROUTES))
def test_numbers_json_allows_in_a_returned_value(judge, route):
    """The right answer goes out, but case 0's report carries Infinity, -Infinity, NaN or a
    400-digit integer (Python's json reads all of them) as a value, a tensor's size or a blob
    index. On today's judge the shape and blob-index ones raise OverflowError out of
    `Judge.grade` (int(inf)), a 400-digit float raises it too, and the others are graded as if
    the child had sent a real value. Such a frame is outside the schema: an error verdict, never
    an exception and never a grade of made-up data."""
    v = grade(judge, tampered_case(VALUE_ROUTES[route]))
    assert_unreadable(v)


MUTATED_ROUTES = {
    "float": "1.5",
    "Infinity": 'float("inf")',
    "dict": '{"0": 1}',
    "string": '"0"',
    "list-of-strings": '["x"]',
    "list-of-floats": "[0.5]",
    "list-of-400-digit-ints": f"[{BIG}]",
    "negative-index": "[-1]",
}


@pytest.mark.parametrize("route", sorted(MUTATED_ROUTES))
def test_mutated_field_of_the_wrong_type(judge, route):
    """Case 0's right answer with a `mutated` field that is not a list of argument indices: a
    float or a dict raise TypeError out of `Judge.grade` today (the parent iterates it and
    compares its items with ints); a list of huge or negative ints is taken at its word. An
    error verdict that says the judge could not read the data, in both modes."""
    v = grade(judge, tampered_case(f'item["mutated"] = {MUTATED_ROUTES[route]}'))
    assert_unreadable(v)


INDEX_ROUTES = {
    "float": "2.5",
    "Infinity": 'float("inf")',
    "NaN": 'float("nan")',
    "400-digits": BIG,
    "string": '"0"',
}


@pytest.mark.parametrize("route", sorted(INDEX_ROUTES))
def test_case_index_that_is_not_a_case(judge, route):
    """Every case is answered right, and case 0's frame carries one more report whose index `i`
    is a float, Infinity, NaN, a 400-digit integer or a string. Today the parent skips or stores
    it and the verdict is a pass: a frame the judge cannot read must not be part of a pass."""
    edit = (f'header["items"].append({{"i": {INDEX_ROUTES[route]}, "ok": True, '
            '"output": {"t": "py", "v": 0}, "mutated": []})')
    v = grade(judge, tampered_case(edit))
    assert_unreadable(v)


RULED = "batched-expert-forward"  # has an ops-constant rule and rule probes

LOOPING = '''
import torch


def batched_expert_forward(dispatched_tokens, expert_weights):
    # right values, one matmul per expert: the kata's rule must fail it
    return torch.stack([dispatched_tokens[e] @ expert_weights[e] for e in range(dispatched_tokens.shape[0])])
'''

COUNT_ROUTES = {
    "string-and-int": '["5", 5]',
    "int-and-string": '[5, "5"]',
    "strings": '["5", "5"]',
    "floats": "[5.5, 5.5]",
    "one-count": "[5]",
    "three-counts": "[5, 5, 5]",
    "empty": "[]",
    "a-number": "5",
    "a-dict": '{"0": 5}',
}


@pytest.mark.parametrize("route", sorted(COUNT_ROUTES))
def test_rule_counts_of_the_wrong_type(judge, route):
    """A loop over the experts (right values, one matmul per expert) that rewrites the rule
    probes' report: counts that mix strings and ints raise TypeError out of `Judge.grade`
    today, a dict raises KeyError; all strings, floats, or a list of the wrong length make the
    loop pass the no-loop rule. The counts are outside the schema: an error verdict saying the
    judge could not read them (never a pass, never an exception)."""
    source = TAMPER + f'''
def tamper(header):
    if header.get("event") != "probes":
        return False
    header["counts"] = {COUNT_ROUTES[route]}
    return True

''' + LOOPING
    v = grade(judge, source, slug=RULED, limits={"wall_s": 10, "cpu_s": 5, "memory_mb": 512})
    assert_unreadable(v)


# -- strict mode: a run that goes wrong still releases its child -----------------------------------
RAW_BLOB_1E400 = FRAMING + '''
fd = socket_fd(scan=True)
write_all(fd, raw_frame('{"event": "load", "ok": true, "blobs": []}'))
case = '{"i": 0, "ok": true, "output": {"t": "tensor", "dtype": "float32", "shape": [1], "blob": 1e400}, "mutated": []}'
write_all(fd, raw_frame('{"event": "cases", "items": [' + case + '], "blobs": [4]}', [bytes(4)]))
write_all(fd, raw_frame('{"event": "done", "log": "", "blobs": []}'))
os._exit(0)
'''

LEAK_ROUTES = {
    # the harness's frames, case 0's shape made Infinity
    "tampered-shape-Infinity": tampered_case('item["output"]["shape"][0] = float("inf")'),
    # a float value sent as a 400-digit number: float() overflows
    "tampered-float-value-400-digits": tampered_case(f'item["output"] = {{"t": "float", "v": {BIG}}}'),
    # frames written by hand on the socket found among the descriptors: 1e400 is Infinity
    "raw-blob-index-1e400": RAW_BLOB_1E400 + RIGHT,
}

REPEATS = 5


def _read(path: str) -> str:
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _status(pid: int) -> dict[str, list[str]]:
    fields = {}
    for line in _read(f"/proc/{pid}/status").splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.split()
    return fields


def strict_inits() -> dict[int, tuple[int, int]]:
    """This process's strict zygote inits, as the host sees them: a zygote process (its command
    line names mlkatas.judge.worker.zygote_main) that is PID 1 of its own PID namespace and descends from
    this process. For each, (scratch mounts in its mount view, open descriptors)."""
    me = os.getpid()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if "mlkatas.judge.worker.zygote_main" not in _read(f"/proc/{pid}/cmdline"):
            continue
        status = _status(pid)
        nspid = status.get("NSpid", [])
        if len(nspid) < 2 or nspid[-1] != "1":
            continue
        ancestor, hops = pid, 0
        while ancestor > 1 and ancestor != me and hops < 8:
            ancestor, hops = int((_status(ancestor).get("PPid") or ["0"])[0]), hops + 1
        if ancestor != me:
            continue  # another judge's (another test run on this machine)
        mounts = sum(" /scratch/" in line for line in _read(f"/proc/{pid}/mountinfo").splitlines())
        try:
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            continue
        found[pid] = (mounts, fds)
    return found


def settled(judge) -> dict[int, tuple[int, int]]:
    """The inits' counts in the same state each time: right after a right solution's grade, with
    the next child handed over."""
    v = judge.grade(SLUG, RIGHT, limits={"wall_s": 10, "cpu_s": 5})
    assert v.status == "passed", describe(v)
    assert judge.ready(30), "the judge did not get its next child ready"
    time.sleep(0.2)  # the init tops up its ready children after the job: let it
    return strict_inits()


@pytest.mark.parametrize("route", sorted(LEAK_ROUTES))
def test_unreadable_data_leaves_nothing_in_the_strict_init(strict_judge, route):
    """The same unreadable frame, five times, in strict mode. Today the exception skips the
    release of the child: its scratch tmpfs stays mounted in the init (+60 MB each time) and
    its pidfd stays open. After the attacks, no init of this judge holds more scratch mounts or
    descriptors than before them (a new init, if the pool replaced the old one, no more than
    the old one had); one more ready child's worth is allowed."""
    before = settled(strict_judge)
    assert before, "no strict init of this judge found in /proc"
    raised, verdicts = [], []
    for _ in range(REPEATS):
        try:
            verdicts.append(strict_judge.grade(SLUG, LEAK_ROUTES[route], limits=LIMITS))
        except Exception as exc:  # noqa: BLE001 - reported below, after the leak check
            raised.append(f"{type(exc).__name__}: {exc}")
    fresh = (max(m for m, _ in before.values()), max(f for _, f in before.values()))  # for an init started since
    deadline = time.monotonic() + 3.0
    while True:  # clean-up may lag a moment behind the verdict
        after = settled(strict_judge)
        grown = {pid: (now, before.get(pid, fresh)) for pid, now in after.items()
                 if now[0] > before.get(pid, fresh)[0] + 1 or now[1] > before.get(pid, fresh)[1] + 2}
        if not grown or time.monotonic() > deadline:
            break
    assert not grown, (
        f"after {REPEATS} runs of the attack the strict init holds more than before "
        "(pid: ((scratch mounts, descriptors) now, (scratch mounts, descriptors) before)): "
        f"{grown}; Judge.grade raised {len(raised)} times: {raised[:1]}")
    assert not raised, f"Judge.grade raised {len(raised)} of {REPEATS} times: {raised[0]}"
    for v in verdicts:
        assert_unreadable(v)
    assert_still_grades(strict_judge)


# == class 4: the judge's own memory ==============================================================
HEADER = 1_400_000  # just under the header cap of the kata's defaults (1 MiB + 6 x 64 KiB of log)

REPORTS = FRAMING + '''


def flood_with_reports(item):
    """Frames of reports for cases that do not exist (`item` % index: one report), until the
    judge stops reading; the run's frames as the job's case count allows, and more."""
    fd = socket_fd()
    write_all(fd, frame({"event": "load", "ok": True}))
    per_frame = @HEADER@ // len(item % 10**7)
    try:
        for f in range(200):
            start = 10**7 + f * per_frame
            items = ",".join(item % i for i in range(start, start + per_frame))
            write_all(fd, raw_frame('{"event": "cases", "items": [' + items + '], "blobs": []}'))
        write_all(fd, frame({"event": "done", "log": ""}))
    except OSError:
        pass
    os._exit(0)
'''

# thousands of reports per frame, each with a small value
FAR_INDICES = REPORTS + '''
flood_with_reports('{"i": %d, "ok": true, "output": {"t": "py", "v": 0}}')
'''

TINY_ITEMS = FRAMING + '''
# an "items" list just under the header cap: half a million empty objects per frame, the same
# frame again and again
fd = socket_fd(scan=True)
write_all(fd, frame({"event": "load", "ok": True}))
head, tail = '{"event": "cases", "blobs": [], "items": [', ']}'
count = (@HEADER@ - len(head) - len(tail)) // 3
flood = raw_frame(head + ",".join(["{}"] * count) + tail)
try:
    for f in range(200):
        write_all(fd, flood)
    write_all(fd, frame({"event": "done", "log": ""}))
except OSError:
    pass
os._exit(0)
'''

# reports whose values are lists of lists of small values: the parent rebuilds each one and keeps it
WIDE_VALUES = REPORTS + '''
level = '{"t":"py","v":0}'
for width in (16, 16):
    level = '{"t":"list","items":[' + ",".join([level] * width) + ']}'
flood_with_reports('{"i":%d,"ok":true,"output":' + level + '}')
'''


def settle_memory(judge) -> None:
    """Before measuring: one ordinary grade (what an earlier attack left in the judge is let go
    by its next grade at the latest), then what was freed given back to the system, so this
    attack's growth is not hidden by memory it reuses (the heap keeps freed pages resident)."""
    v = judge.grade(SLUG, RIGHT, limits={"wall_s": 10, "cpu_s": 5})
    assert v.status == "passed", describe(v)
    gc.collect()
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is not None:  # glibc
        trim(0)


FLOODS = {"far-case-indices": FAR_INDICES, "tiny-items": TINY_ITEMS, "wide-nested-values": WIDE_VALUES}


@pytest.mark.parametrize("flood", sorted(FLOODS))
def test_small_json_does_not_grow_the_judge(judge, flood):
    """Frames of small JSON just under the header cap, as many as the run's byte budget takes:
    reports for case indices far beyond the kata's cases, lists of half a million empty items,
    values nested two levels, 16 x 16 wide. Today every parsed frame is kept for the whole run
    and an outcome is stored for every index named, so some 70 MB of JSON grows the judge's own
    process by 0.5 to 1.7 GB (and the last run's frames stay referenced after the grade).
    Bounded: it grows by less than 256 MB, and the verdict is not a pass."""
    source = FLOODS[flood].replace("@HEADER@", str(HEADER)) + RIGHT
    settle_memory(judge)
    with PeakRSS() as rss:
        v = grade(judge, source)
    assert rss.growth_mb < 256, f"the judge's own process grew by {rss.growth_mb:.0f} MB\n" + describe(v)
    assert v.status != "passed", describe(v)
    assert_still_grades(judge)
