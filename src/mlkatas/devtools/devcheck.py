"""`mlkatas dev check`: prove that a kata checks itself.

The reference passes, the starter fails, every right variant passes, and every wrong variant fails
with the diagnosis it declares. A kata also needs tiered hints, a right variant without einops and
enough realistic wrong ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlkatas.catalog.kata import Kata, KataFormatError

MIN_HIDDEN = 50
MIN_HINTS = 2
MIN_RIGHT = 2
MIN_WRONG = 3


@dataclass
class CheckLine:
    subject: str  # "reference", "starter", a variant's name, "format"
    ok: bool
    detail: str


@dataclass
class KataCheck:
    slug: str
    lines: list[CheckLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)


def check_kata(judge, kata: Kata) -> KataCheck:
    result = KataCheck(kata.slug)
    add = result.lines.append
    try:
        judge.suite(kata.slug)
    except KataFormatError as exc:
        add(CheckLine("cases", False, str(exc)))
        return result

    verdict = judge.grade(kata.slug, kata.solution, filename="solution.py")
    add(CheckLine("reference", verdict.passed, verdict.summary))
    verdict = judge.grade(kata.slug, kata.starter, filename="starter.py")
    add(CheckLine("starter", not verdict.passed, verdict.summary))
    for variant in kata.variants:
        verdict = judge.grade(kata.slug, variant.path.read_text(encoding="utf-8"), filename=variant.path.name)
        if variant.right:
            add(CheckLine(variant.name, verdict.passed, verdict.summary))
        else:
            first = verdict.first_failure
            ok = not verdict.passed and verdict.kind == variant.expect
            detail = f"expected {variant.expect}, got {verdict.kind or 'passed'}: {verdict.summary}"
            if variant.says is not None and (first is None or variant.says not in first.message):
                ok = False
                detail = f"expected a message saying {variant.says!r}; {detail}"
            add(CheckLine(variant.name, ok, detail))
    add(_format_line(kata))
    return result


def _format_line(kata: Kata) -> CheckLine:
    right = [v for v in kata.variants if v.right]
    wrong = [v for v in kata.variants if not v.right]
    plain = [v for v in right if "einops" not in v.path.read_text(encoding="utf-8")]
    problems = []
    if kata.hidden_cases < MIN_HIDDEN:
        problems.append(f"{kata.hidden_cases} hidden cases (at least {MIN_HIDDEN})")
    if len(kata.hints) < MIN_HINTS:
        problems.append(f"{len(kata.hints)} hints (at least {MIN_HINTS})")
    if len(right) < MIN_RIGHT:
        problems.append(f"{len(right)} right variants (at least {MIN_RIGHT})")
    if not plain:
        problems.append("no right variant without einops")
    if len(wrong) < MIN_WRONG:
        problems.append(f"{len(wrong)} wrong variants (at least {MIN_WRONG})")
    if kata.hints and "`" in kata.hints[0]:
        problems.append("the first hint shows code; it should only point the way")
    return CheckLine("format", not problems, "; ".join(problems) or "hints, variants and case count are complete")
