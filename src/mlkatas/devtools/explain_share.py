"""The measure of issue 12: of the wrong variants that fail on values or placement, the share whose
first failure says more than the generic report (a confirmed diagnosis is appended to it).

Run: python -m mlkatas.devtools.explain_share
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlkatas.catalog import Catalog

MEASURED_KINDS = ("values", "rearranged")


@dataclass
class Share:
    explained: list[str] = field(default_factory=list)
    generic: list[str] = field(default_factory=list)  # "slug/variant: first line of the message"

    @property
    def ratio(self) -> float:
        total = len(self.explained) + len(self.generic)
        return len(self.explained) / total if total else 1.0

    def line(self) -> str:
        total = len(self.explained) + len(self.generic)
        return (f"{len(self.explained)} of {total} wrong variants failing on values or placement explained "
                f"({self.ratio:.0%})")


def explanation_share(judge, catalog: Catalog) -> Share:
    share = Share()
    for kata in catalog:
        for variant in kata.variants:
            if variant.right or variant.expect not in MEASURED_KINDS:
                continue
            verdict = judge.grade(kata.slug, variant.path.read_text(encoding="utf-8"), filename=variant.path.name)
            first = verdict.first_failure
            if first is None or first.kind not in MEASURED_KINDS:
                continue
            name = f"{kata.slug}/{variant.name}"
            if first.detail.get("diagnosis"):
                share.explained.append(name)
            else:
                share.generic.append(f"{name}: {first.message.splitlines()[0]}")
    return share


def main() -> None:
    from mlkatas.judge import Judge

    catalog = Catalog.load()
    with Judge(sandbox="local", catalog=catalog) as judge:
        share = explanation_share(judge, catalog)
    print(share.line())
    for miss in share.generic:
        print(f"  generic: {miss}")


if __name__ == "__main__":
    main()
