"""The catalogue: every kata of every pack, loaded and validated, in a stable order.

A pack is a folder of kata folders, with an optional pack.toml whose `order` lists the slugs in
the order learners should meet them. A malformed kata is recorded in `problems` and skipped;
the rest of the catalogue still loads.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mlkatas.catalog.kata import Kata, KataFormatError, load_kata

BUILTIN_PACKS = Path(__file__).parent.parent / "packs"  # src/mlkatas/packs: package data
PACKS_ENV = "MLKATAS_PACKS"  # extra pack folders, separated by os.pathsep


class UnknownKata(KeyError):
    def __init__(self, slug: str, suggestions: list[str]):
        self.slug = slug
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no kata named {slug!r}.{hint}")  # front ends add how to list them

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


@dataclass
class Catalog:
    """Every kata the packs hold (the built-in einops pack, plus MLKATAS_PACKS), by slug, in each
    pack's order (its pack.toml). A kata folder that does not load is kept in `problems`, not raised: one bad kata
    never hides the others."""

    katas: dict[str, Kata] = field(default_factory=dict)
    problems: list[KataFormatError] = field(default_factory=list)

    @classmethod
    def load(cls, pack_dirs: list[Path] | None = None) -> "Catalog":
        """Load the built-in packs plus any extra ones (argument or $MLKATAS_PACKS)."""
        if pack_dirs is None:
            pack_dirs = sorted(p for p in BUILTIN_PACKS.iterdir() if p.is_dir() and not p.name.startswith("_"))
            extra = os.environ.get(PACKS_ENV, "")
            pack_dirs += [Path(p) for p in extra.split(os.pathsep) if p]
        catalog = cls()
        for pack_dir in pack_dirs:
            catalog._load_pack(Path(pack_dir))
        return catalog

    def _load_pack(self, pack_dir: Path) -> None:
        if not pack_dir.is_dir():
            self.problems.append(KataFormatError(pack_dir, None, "pack folder does not exist"))
            return
        order = self._pack_order(pack_dir)
        folders = [p for p in pack_dir.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))]
        rank = {slug: i for i, slug in enumerate(order)}
        folders.sort(key=lambda p: (rank.get(p.name, len(rank)), p.name))
        for folder in folders:
            try:
                kata = load_kata(folder, pack_dir.name)
            except KataFormatError as exc:
                self.problems.append(exc)
                continue
            if kata.slug in self.katas:
                self.problems.append(KataFormatError(folder / "kata.toml", "slug", f"{kata.slug!r} is already defined"))
                continue
            self.katas[kata.slug] = kata

    def _pack_order(self, pack_dir: Path) -> list[str]:
        meta = pack_dir / "pack.toml"
        if not meta.is_file():
            return []
        try:
            order = tomllib.loads(meta.read_text(encoding="utf-8")).get("order", [])
        except tomllib.TOMLDecodeError as exc:
            self.problems.append(KataFormatError(meta, None, f"invalid TOML: {exc}"))
            return []
        if not isinstance(order, list) or not all(isinstance(s, str) for s in order):
            self.problems.append(KataFormatError(meta, "order", "must be a list of slugs"))
            return []
        return order

    def __iter__(self):
        return iter(self.katas.values())

    def __len__(self) -> int:
        return len(self.katas)

    def __contains__(self, slug: str) -> bool:
        return slug in self.katas

    def get(self, slug: str) -> Kata:
        try:
            return self.katas[slug]
        except KeyError:
            raise UnknownKata(slug, self.suggest(slug)) from None

    def suggest(self, slug: str, n: int = 3) -> list[str]:
        slugs = list(self.katas)
        close = difflib.get_close_matches(slug, slugs, n=n, cutoff=0.5)
        partial = [s for s in slugs if slug and (slug in s or s in slug) and s not in close]
        return (close + partial)[:n]

    def filter(self, topic: str | None = None, difficulty: str | None = None) -> list[Kata]:
        return [
            k
            for k in self
            if (topic is None or topic.lower() in (t.lower() for t in k.topics))
            and (difficulty is None or k.difficulty == difficulty)
        ]
