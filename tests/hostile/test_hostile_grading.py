"""Attacks on what the parent does with a run after the child is gone: how much of the judge's own
time a verdict may cost, and which checks the child can switch off from the learner's file.

The parent grades, so its work is the judge's: a wrong answer must not buy seconds of the judge's
CPU once the child's limits stopped applying, and `elapsed_ms` must say what the grade cost. The
checks that decide a verdict (inputs left unchanged, the no-loop rule) must hold whatever the
learner's file patches, raises or skips in its own process.
"""

from __future__ import annotations

import time

import pytest

from ._harness import describe

# -- class 5: the parent's work per verdict ------------------------------------------------------
# Wrong answers that hold the right elements in the wrong places ("rearranged") in a way no einops
# pattern and no declared mistake of the kata explains, so the explanation search tries every
# candidate pattern on every case. Each fails every case (or all but a one-element one).
GRADING_LIMITS = {"wall_s": 10, "cpu_s": 5, "memory_mb": 1024}

PIXEL_SHUFFLE = "b (c s1 s2) h w -> b c (h s1) (w s2)"
PIXEL_UNSHUFFLE = "b c (h s1) (w s2) -> b (c s1 s2) h w"

RIGHT_ANSWERS = {
    "pixel-shuffle": f'''
from einops import rearrange


def pixel_shuffle(x, upscale_factor):
    s = upscale_factor
    return rearrange(x, "{PIXEL_SHUFFLE}", s1=s, s2=s)
''',
    "pixel-unshuffle": f'''
from einops import rearrange


def pixel_unshuffle(x, downscale_factor):
    s = downscale_factor
    return rearrange(x, "{PIXEL_UNSHUFFLE}", s1=s, s2=s)
''',
}

REARRANGED = {
    # the right answer with its elements in reverse memory order
    "pixel-shuffle-reversed": ("pixel-shuffle", f'''
from einops import rearrange


def pixel_shuffle(x, upscale_factor):
    s = upscale_factor
    y = rearrange(x, "{PIXEL_SHUFFLE}", s1=s, s2=s)
    return y.reshape(-1).flip(0).reshape(y.shape)
'''),
    # the right answer shifted by one element: every position wrong, every element present
    "pixel-shuffle-rolled": ("pixel-shuffle", f'''
from einops import rearrange


def pixel_shuffle(x, upscale_factor):
    s = upscale_factor
    y = rearrange(x, "{PIXEL_SHUFFLE}", s1=s, s2=s)
    return y.reshape(-1).roll(1).reshape(y.shape)
'''),
    # the other direction's kata, its right answer reversed
    "pixel-unshuffle-reversed": ("pixel-unshuffle", f'''
from einops import rearrange


def pixel_unshuffle(x, downscale_factor):
    s = downscale_factor
    y = rearrange(x, "{PIXEL_UNSHUFFLE}", s1=s, s2=s)
    return y.reshape(-1).flip(0).reshape(y.shape)
'''),
}

MAX_PARENT_CPU_S = 2.5  # the parent's work per verdict has a budget of about 1 s; this leaves room


@pytest.mark.parametrize("route", sorted(REARRANGED))
def test_a_rearranged_answer_does_not_buy_seconds_of_the_judges_cpu(judge, route):
    """A wrong answer that moves every element to a place no einops pattern explains: the parent
    searches thousands of candidate patterns per case, after the child's limits stopped applying,
    so one submission costs the judge seconds of its own CPU (a few such submissions stall a
    server), and `elapsed_ms`, taken before that work, hides it. The parent's work per verdict has
    a budget, `elapsed_ms` counts it, and the verdict still says "rearranged"."""
    slug, source = REARRANGED[route]
    warm = judge.grade(slug, RIGHT_ANSWERS[slug], limits=GRADING_LIMITS)  # the suite is built before the clock starts
    assert warm.status == "passed", "the kata no longer passes its right answer\n" + describe(warm)

    wall_started, cpu_started = time.perf_counter(), time.thread_time()
    v = judge.grade(slug, source, limits=GRADING_LIMITS)
    cpu_s, wall_s = time.thread_time() - cpu_started, time.perf_counter() - wall_started

    assert v.status == "failed" and v.kind == "rearranged", "the verdict no longer names the mistake\n" + describe(v)
    assert cpu_s < MAX_PARENT_CPU_S, (
        f"one wrong answer cost the judge {cpu_s:.2f} s of its own CPU in grade() (wall {wall_s:.2f} s); "
        f"the parent's work per verdict must stay under {MAX_PARENT_CPU_S} s\n" + describe(v))
    assert v.elapsed_ms >= 0.9 * wall_s * 1000, (
        f"elapsed_ms says {v.elapsed_ms:.0f} ms but grade() took {wall_s * 1000:.0f} ms: "
        "the parent's work after the run is not counted\n" + describe(v))


# -- class 6: the mutated-input check ------------------------------------------------------------
# A split_heads that returns the right answer for the input it was given, then changes that input
# in place (its values, so its bytes). Each route also switches the check off in its own way; the
# switch is wrapped so that a file whose target no longer exists still loads and still mutates.
MUTATION_LIMITS = {"wall_s": 5, "cpu_s": 3, "memory_mb": 512}

MUTATING_PRELUDE = '''
import ctypes, gc, sys
import torch
from einops import rearrange

SESSION = next((o for o in gc.get_objects() if type(o).__name__ == "ChildSession"), None)


def switch_off():
    pass


def after_mutation(x):
    pass

'''

MUTATING_EPILOGUE = '''

try:
    switch_off()
except Exception as exc:  # the harness changed: the mutation below must still be caught
    print(f"switch-off failed: {type(exc).__name__}: {exc}")


def split_heads(x, num_heads):
    out = rearrange(x, "b n (h d) -> b h n d", h=num_heads).clone(memory_format=torch.contiguous_format)
    mutate(x)  # the caller's tensor changes: its values, not its shape, strides or storage
    try:
        after_mutation(x)
    except Exception:
        pass
    return out  # right for the input as it was given
'''

ADD_ONE = "def mutate(x):\n    x.add_(1)\n"

MUTATIONS = {
    # replace the method that compares the inputs' bytes with the pristine copy
    "patch-the-byte-check": (ADD_ONE, '''
def switch_off():
    type(SESSION)._written = lambda self, span: False
'''),
    # change x through .data, then copy the changed inputs over the pristine copy
    "refresh-the-pristine-copy": ("def mutate(x):\n    x.data.add_(1)\n", '''
def after_mutation(x):
    SESSION.pristine = bytes(SESSION.inputs.buffer)
'''),
    # make the pristine copy the live buffer itself, then change x through numpy
    "alias-the-pristine-copy": ('''
def mutate(x):
    view = x.view(torch.int16) if x.dtype == torch.bfloat16 else x  # numpy has no bfloat16
    view.numpy()[...] += 1
''', '''
def switch_off():
    SESSION.pristine = SESSION.inputs.buffer
'''),
    # replace `layout` (called right before the byte check) by one that refreshes the pristine
    # copy first; change x's first byte with ctypes.memmove
    "patch-layout": ('''
def mutate(x):
    first = ctypes.string_at(x.data_ptr(), 1)
    ctypes.memmove(x.data_ptr(), bytes([first[0] ^ 0xFF]), 1)
''', '''
def switch_off():
    import mlkatas.judge.worker.child as child
    real = child.layout

    def layout(value):
        SESSION.pristine = bytes(SESSION.inputs.buffer)
        return real(value)

    child.layout = layout
'''),
    # make every argument's span in the job empty: nothing left to compare
    "empty-the-spans": (ADD_ONE, '''
def switch_off():
    for case in SESSION.job["cases"]:
        case["spans"] = [[0, 0] for _ in case["spans"]]
'''),
    # drop the child's report of what changed on its way out
    "strip-the-report": (ADD_ONE, '''
def switch_off():
    outbox = type(SESSION.outbox)
    real = outbox.add

    def add(self, item, blobs=()):
        if isinstance(item, dict):
            item["mutated"] = []
        return real(self, item, blobs)

    outbox.add = add
'''),
}


def mutating_source(route: str, *, switched_off: bool) -> str:
    mutate, switch = MUTATIONS[route]
    return MUTATING_PRELUDE + mutate + (switch if switched_off else "") + MUTATING_EPILOGUE


def assert_mutation_caught(v, what: str) -> None:
    assert v.status == "failed" and v.kind == "mutated_input", what + "\n" + describe(v)


@pytest.mark.parametrize("route", sorted(MUTATIONS))
def test_the_learners_file_cannot_switch_off_the_mutated_input_check(judge, route):
    """The check that inputs were left unchanged runs in the child, and the parent takes its word:
    the learner's file patches the check (or refreshes its pristine copy, or empties what it
    compares, or strips the report), changes `x` in place and returns the right answer: passed.
    The parent decides from memory the child cannot forge: "failed", kind "mutated_input". The same
    mutation without the switch-off is graded first, which proves it changes the input's bytes."""
    control = judge.grade("split-heads", mutating_source(route, switched_off=False), limits=MUTATION_LIMITS)
    assert_mutation_caught(
        control, "the control (the same mutation, no switch-off) is not caught: the attack proves nothing"
    )
    v = judge.grade("split-heads", mutating_source(route, switched_off=True), limits=MUTATION_LIMITS)
    assert_mutation_caught(v, f"the learner's file switched the mutated-input check off ({route}): "
                              "a solution that changes its input in place was not failed for it")


# -- class 7: the no-loop rule and its probes -------------------------------------------------------
# A right answer with one matmul per expert: the rule "batched" (ops-constant) must fail it. The
# rule is checked on probes (2 and 9 experts, T=3, D=4, H=5, float32) sent after the graded cases.
RULE_SLUG = "batched-expert-forward"
RULE_LIMITS = {"wall_s": 5, "cpu_s": 3, "memory_mb": 512}
GRADED_CASES = 61  # the example and the 60 hidden cases of kata.toml: calls after these are probes

LOOPING_PRELUDE = '''
import gc, os, sys
import torch

SESSION = next((o for o in gc.get_objects() if type(o).__name__ == "ChildSession"), None)
CALLS = []
GRADED = @GRADED@


def is_probe(tokens, weights):
    return False


def dodge(tokens, weights):
    raise RuntimeError("not on a probe")

'''

LOOPING_EPILOGUE = '''

def batched_expert_forward(dispatched_tokens, expert_weights):
    CALLS.append(1)
    if is_probe(dispatched_tokens, expert_weights):
        dodge(dispatched_tokens, expert_weights)
    return torch.stack([dispatched_tokens[e] @ expert_weights[e] for e in range(dispatched_tokens.shape[0])])
'''

PROBE_DODGES = {
    # every call after the graded cases raises
    "raise-in-every-probe-by-call-count": '''
def is_probe(tokens, weights):
    return len(CALLS) > GRADED
''',
    # only the larger probe raises, told apart by its sizes (no graded case has them)
    "raise-in-the-larger-probe-by-size": '''
def is_probe(tokens, weights):
    return tuple(tokens.shape) == (9, 3, 4) and tuple(weights.shape) == (9, 4, 5) and tokens.dtype == torch.float32
''',
    # the probes count lines with a tracer: raise whenever one is installed
    "raise-when-traced": '''
def is_probe(tokens, weights):
    return sys.gettrace() is not None
''',
    # a flag set when the harness starts the probes; only the first probe raises
    "raise-in-the-first-probe-by-flag": '''
PROBING = []
try:
    _real_run_probes = type(SESSION).run_probes

    def _run_probes(self, entry):
        PROBING.append(True)
        return _real_run_probes(self, entry)

    type(SESSION).run_probes = _run_probes
except Exception as exc:
    print(f"patch failed: {type(exc).__name__}: {exc}")


def is_probe(tokens, weights):
    if PROBING or len(CALLS) > GRADED:
        return len(CALLS) == GRADED + 1
    return False
''',
    # a BaseException, not an Exception, in every probe
    "system-exit-in-every-probe": '''
def is_probe(tokens, weights):
    return len(CALLS) > GRADED


def dodge(tokens, weights):
    raise SystemExit(0)
''',
    # in the first probe, say the run is done and leave: the probes never report
    "finish-the-run-inside-the-first-probe": '''
def is_probe(tokens, weights):
    return len(CALLS) == GRADED + 1


def dodge(tokens, weights):
    try:
        SESSION.finish(sys.stdout.text())
    except Exception:
        raise RuntimeError("not on a probe") from None
    os._exit(0)
''',
    # the probes are never run: nothing to report
    "skip-the-probes": '''
try:
    type(SESSION).run_probes = lambda self, entry: None
except Exception as exc:
    print(f"patch failed: {type(exc).__name__}: {exc}")
''',
}


def looping_source(route: str | None) -> str:
    return (
        LOOPING_PRELUDE.replace("@GRADED@", repr(GRADED_CASES)) + (PROBE_DODGES[route] if route else "")
        + LOOPING_EPILOGUE
    )


def assert_rule_failed(v, what: str) -> None:
    """Every graded case passed (the answer is right), and the no-loop rule failed."""
    graded = [c for c in v.cases if not c.name.startswith("rule")]
    rules = [c for c in v.cases if c.name.startswith("rule")]
    assert graded and all(c.status == "passed" for c in graded), (
        "the looping answer no longer passes the graded cases\n" + describe(v)
    )
    assert v.status == "failed", what + "\n" + describe(v)
    assert any(c.status == "failed" and c.kind == "rule" for c in rules), (
        what + f"\n  rule results: {[(c.name, c.status, c.kind) for c in rules]}\n" + describe(v))


@pytest.mark.parametrize("route", sorted(PROBE_DODGES))
def test_a_looping_solution_cannot_dodge_the_rule_probes(judge, route):
    """The no-loop rule is measured on probes that come after every graded case, with sizes of
    their own, and a probe that raises (or never reports) is skipped: a looping solution that
    answers every graded case and dodges the probes passes the rule. A probe that raises or does
    not report fails the rule. The same loop without the dodge is graded first (the control):
    the rule fails it."""
    control = judge.grade(RULE_SLUG, looping_source(None), limits=RULE_LIMITS)
    assert_rule_failed(
        control, "the control (the same loop, no dodge) does not fail the rule: the attack proves nothing"
    )
    v = judge.grade(RULE_SLUG, looping_source(route), limits=RULE_LIMITS)
    assert_rule_failed(v, f"a looping solution passed the no-loop rule by dodging its probes ({route})")
