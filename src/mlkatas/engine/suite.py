"""A kata's test suite, built in the trusted process: cases, expected outputs, rule probes.

The kata's cases.py and solution.py are trusted pack files; they are imported here and never in
the process that runs the learner's code.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from mlkatas.catalog.kata import Kata, KataFormatError
from mlkatas.engine.casegen import Case, analogous_case, build_cases, rule_probes
from mlkatas.engine.layout import non_overlapping
from mlkatas.engine.mistakes import Mistake, load_mistakes


def import_file(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise KataFormatError(path, None, "cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise KataFormatError(path, None, f"fails to import: {type(exc).__name__}: {exc}") from exc
    return module


def arg_names(signature: str) -> list[str]:
    """`split_heads(x, num_heads)` -> ["x", "num_heads"]; for a module, the last parenthesis
    (its forward) without self."""
    groups = re.findall(r"\(([^()]*)\)", signature)
    if not groups:
        return []
    names = [p.split(":")[0].split("=")[0].strip().lstrip("*") for p in groups[-1].split(",")]
    return [n for n in names if n and n != "self"]


def clone_value(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        # keep the memory layout: a non-contiguous input stays non-contiguous
        out = (
            torch.empty_strided(value.shape, value.stride(), dtype=value.dtype) if non_overlapping(value)
            else torch.empty_like(value)
        )
        out.copy_(value)
        return out
    if isinstance(value, list):
        return [clone_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clone_value(v) for v in value)
    return value


@dataclass
class Suite:
    """A kata's test suite, built in the trusted process from its seeded generator: the cases
    (the visible example first, then the hidden ones), the reference's expected outputs, the
    rule probes and the known mistakes. Only the cases' inputs ever leave this process."""

    kata: Kata
    cases: list[Case]
    expected: list[Any]
    probes: list[Case] = field(default_factory=list)
    mistakes: list[Mistake] = field(default_factory=list)
    arg_names: list[str] = field(default_factory=list)
    outputs: tuple[str, ...] = ()
    cases_module: ModuleType | None = None
    reference: Any = None

    @classmethod
    def build(cls, kata: Kata) -> "Suite":
        tag = re.sub(r"\W", "_", f"{kata.pack}_{kata.slug}")
        cases_mod = import_file(kata.path / "cases.py", f"mlkatas_packs.{tag}.cases")
        solution = import_file(kata.path / "solution.py", f"mlkatas_packs.{tag}.solution")
        reference = getattr(solution, kata.entry)
        for required in ("example", "hidden"):
            if not callable(getattr(cases_mod, required, None)):
                raise KataFormatError(kata.path / "cases.py", required, "missing function")
        try:
            cases = build_cases(cases_mod, kata.slug, kata.hidden_cases)
            probes = rule_probes(cases_mod, kata.slug) if kata.rules else []
        except Exception as exc:
            raise KataFormatError(
                kata.path / "cases.py", None, f"case generator failed: {type(exc).__name__}: {exc}"
            ) from exc
        suite = cls(
            kata=kata,
            cases=cases,
            expected=[],
            probes=probes,
            mistakes=load_mistakes(cases_mod, kata.path / "cases.py"),
            arg_names=arg_names(kata.signature),
            outputs=tuple(getattr(cases_mod, "OUTPUTS", ())),
            cases_module=cases_mod,
            reference=reference,
        )
        suite.expected = [suite.run_reference(c) for c in cases]
        return suite

    def run_reference(self, case: Case) -> Any:
        """The expected output: the reference on a copy of the inputs, so it can't change them."""
        try:
            return call_entry(self.reference, self.kata.kind, case)
        except Exception as exc:
            raise KataFormatError(
                self.kata.path / "solution.py", None, f"the reference fails on {case.name}: {type(exc).__name__}: {exc}"
            ) from exc

    def analogous(self, structure_seed: int) -> tuple[Case, Any]:
        """A case like the hidden one of this structure seed, with public values: for an exact kata
        (a rearrangement) the values 0, 1, 2, ..., so a drawing shows where each element went."""
        case = analogous_case(self.cases_module, structure_seed, ordered=self.kata.exact)
        return case, self.run_reference(case)


def call_entry(entry: Any, kind: str, case: Case) -> Any:
    args = clone_value(case.args)
    with torch.no_grad():
        if kind != "module":
            out = entry(*args)
        else:
            module = entry(*case.init)
            for name, value in case.params.items():
                module.get_parameter(name).copy_(value)
            out = module(*args)
    return detach(out)


def detach(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, (list, tuple)):
        items = [detach(v) for v in value]
        return items if isinstance(value, list) else tuple(items)  # also turns torch.return_types into tuples
    return value
