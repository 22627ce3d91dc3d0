"""One kata on disk: its folder, its metadata (kata.toml) and the checks that make it well-formed.

A kata folder holds kata.toml, README.md, starter.py, solution.py, cases.py and variants/.
Loading validates everything a learner or the judge relies on and reports each problem by
file and field, so one broken kata never hides the rest of a catalogue.
"""

from __future__ import annotations

import ast
import datetime
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mlkatas.engine.vocabulary import Kind

DIFFICULTIES = ("easy", "medium", "hard")
TIMES = ("<10 mins", "<30 mins", "<1 hr", ">1 hr")
MAX_TOPICS = 5
MAX_TOPIC_LEN = 20
REQUIRED_FILES = ("kata.toml", "README.md", "starter.py", "solution.py", "cases.py")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VARIANT_KINDS = tuple(Kind)  # the kinds a wrong variant may expect: every kind of mistake


class KataFormatError(ValueError):
    """A kata folder that does not follow the format; says which file and which field."""

    def __init__(self, path: Path, field_name: str | None, problem: str):
        self.path = path
        self.field = field_name
        self.problem = problem
        where = f"{path}" + (f" [{field_name}]" if field_name else "")
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one grading run; kata.toml sets defaults, a grade call may override."""

    wall_s: float = 20.0
    cpu_s: float = 20.0
    memory_mb: int = 2048
    output_mb: int = 64
    log_kb: int = 64

    def replace(self, **changes: float | int) -> "Limits":
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        values = {**self.__dict__, **changes}
        return Limits(**values)


@dataclass(frozen=True)
class Rule:
    """A kata rule beyond the output's values, e.g. `ops-constant`: no Python loop over a dimension."""

    id: str
    kind: str
    message: str


@dataclass(frozen=True)
class Variant:
    """A solution the kata must accept (right_*.py) or reject with `expect` (wrong_*.py)."""

    path: Path
    right: bool
    expect: str | None  # the diagnosis kind a wrong variant must get
    says: str | None = None  # a phrase the first failure's message must contain (`# says: ...`)

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Kata:
    """One kata as its folder describes it (kata.toml, README.md, starter.py, solution.py,
    cases.py, variants/), checked when loaded: a malformed folder is a KataFormatError naming
    the file and the field. Plain data; the reference and case generator are loaded by the
    engine, in the trusted process only."""

    slug: str
    title: str
    difficulty: str
    time: str
    topics: tuple[str, ...]
    entry: str  # the function or class the learner writes
    signature: str  # as shown to the learner, e.g. "split_heads(x, num_heads)"
    kind: str  # "function" or "module"
    path: Path
    pack: str
    exact: bool = False
    hidden_cases: int = 60
    hints: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    rules: tuple[Rule, ...] = ()
    pattern: str | None = None  # einops pattern of the expected rearrangement, for feedback
    pattern_input: int = 0  # which argument the pattern's left side describes
    tolerances: dict = field(default_factory=dict)  # dtype name -> {"rtol", "atol"}
    variants: tuple[Variant, ...] = ()
    created: datetime.date | None = None  # when the kata was published (the site's "created" filter)

    @property
    def description(self) -> str:
        return (self.path / "README.md").read_text(encoding="utf-8")

    @property
    def starter(self) -> str:
        return (self.path / "starter.py").read_text(encoding="utf-8")

    @property
    def solution(self) -> str:
        return (self.path / "solution.py").read_text(encoding="utf-8")

    def listing(self) -> dict:
        """The catalogue entry, as `mlkatas list --json` prints it."""
        return {
            "slug": self.slug,
            "title": self.title,
            "difficulty": self.difficulty,
            "time": self.time,
            "topics": list(self.topics),
        }


def _require(data: dict, key: str, typ: type, path: Path):
    if key not in data:
        raise KataFormatError(path, key, "missing")
    value = data[key]
    if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
        raise KataFormatError(path, key, f"must be a {typ.__name__}, not {type(value).__name__}")
    return value


def _parse_limits(data: dict, path: Path) -> Limits:
    raw = data.get("limits", {})
    if not isinstance(raw, dict):
        raise KataFormatError(path, "limits", "must be a table")
    try:
        return Limits().replace(**raw)
    except (TypeError, ValueError) as exc:
        raise KataFormatError(path, "limits", str(exc)) from None


def _parse_rules(data: dict, path: Path) -> tuple[Rule, ...]:
    rules = []
    for i, raw in enumerate(data.get("rules", [])):
        where = f"rules[{i}]"
        if not isinstance(raw, dict):
            raise KataFormatError(path, where, "must be a table")
        for key in ("id", "kind", "message"):
            if not isinstance(raw.get(key), str):
                raise KataFormatError(path, f"{where}.{key}", "missing or not a string")
        if raw["kind"] != "ops-constant":
            raise KataFormatError(path, f"{where}.kind", f"unknown rule kind {raw['kind']!r} (known: ops-constant)")
        rules.append(Rule(raw["id"], raw["kind"], raw["message"]))
    return tuple(rules)


def _parse_tolerances(data: dict, path: Path) -> dict:
    raw = data.get("tolerance", {})
    if not isinstance(raw, dict):
        raise KataFormatError(path, "tolerance", "must be a table of dtype = {rtol, atol}")
    for dtype, tol in raw.items():
        if not isinstance(tol, dict) or set(tol) - {"rtol", "atol"}:
            raise KataFormatError(path, f"tolerance.{dtype}", "must be a table with rtol and/or atol")
    return raw


def _load_variants(folder: Path) -> tuple[Variant, ...]:
    variants = []
    vdir = folder / "variants"
    if not vdir.is_dir():
        return ()
    for file in sorted(vdir.glob("*.py")):
        if file.name.startswith("right_"):
            variants.append(Variant(file, True, None))
        elif file.name.startswith("wrong_"):
            expect, says = _expected_diagnosis(file)
            variants.append(Variant(file, False, expect, says))
        else:
            raise KataFormatError(file, None, "a variant's name must start with right_ or wrong_")
    return tuple(variants)


def _expected_diagnosis(file: Path) -> tuple[str, str | None]:
    """A wrong variant states the diagnosis it must get on its first line, `# expect: rearranged`,
    and may add on the next one a phrase its message must contain, `# says: reshaped`."""
    lines = file.read_text(encoding="utf-8").splitlines()[:2]
    match = re.match(r"#\s*expect:\s*(\w+)", lines[0]) if lines else None
    if not match:
        raise KataFormatError(file, "expect", "a wrong variant must start with `# expect: KIND`")
    kind = match.group(1)
    if kind not in VARIANT_KINDS:
        raise KataFormatError(file, "expect", f"unknown kind {kind!r} (known: {', '.join(VARIANT_KINDS)})")
    said = re.match(r"#\s*says:(.*)", lines[1]) if len(lines) > 1 else None
    if said is None:
        return kind, None
    phrase = said.group(1).strip()
    if not phrase:
        raise KataFormatError(file, "says", "`# says:` needs the phrase the message must contain")
    return kind, phrase


def _check_python(file: Path, entry: str) -> None:
    """The file must parse and define the entry point at top level."""
    try:
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    except SyntaxError as exc:
        raise KataFormatError(file, None, f"syntax error on line {exc.lineno}: {exc.msg}") from None
    names = {
        node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
    }
    if entry not in names:
        raise KataFormatError(file, "entry", f"does not define {entry!r}")


def load_kata(folder: Path, pack: str) -> Kata:
    """Read and validate one kata folder; raises KataFormatError naming the file and field."""
    for name in REQUIRED_FILES:
        if not (folder / name).is_file():
            raise KataFormatError(folder / name, None, "missing file")
    toml_path = folder / "kata.toml"
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KataFormatError(toml_path, None, f"invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise KataFormatError(toml_path, None, "not UTF-8 text") from None

    slug = _require(data, "slug", str, toml_path)
    if not SLUG_RE.match(slug):
        raise KataFormatError(toml_path, "slug", f"{slug!r} is not lowercase-words-with-dashes")
    if slug != folder.name:
        raise KataFormatError(toml_path, "slug", f"{slug!r} differs from the folder name {folder.name!r}")
    difficulty = _require(data, "difficulty", str, toml_path)
    if difficulty not in DIFFICULTIES:
        raise KataFormatError(toml_path, "difficulty", f"{difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    time = _require(data, "time", str, toml_path)
    if time not in TIMES:
        raise KataFormatError(toml_path, "time", f"{time!r} is not one of {', '.join(TIMES)}")
    topics = _require(data, "topics", list, toml_path)
    if not 1 <= len(topics) <= MAX_TOPICS:
        raise KataFormatError(toml_path, "topics", f"needs 1 to {MAX_TOPICS} topics, has {len(topics)}")
    for topic in topics:
        if not isinstance(topic, str) or not 0 < len(topic) <= MAX_TOPIC_LEN:
            raise KataFormatError(toml_path, "topics", f"{topic!r} must be a string of 1 to {MAX_TOPIC_LEN} characters")
    kind = data.get("kind", "function")
    if kind not in ("function", "module"):
        raise KataFormatError(toml_path, "kind", f"{kind!r} is not function or module")
    hints = data.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise KataFormatError(toml_path, "hints", "must be a list of non-empty strings")
    hidden = data.get("hidden_cases", 60)
    if not isinstance(hidden, int) or hidden < 1:
        raise KataFormatError(toml_path, "hidden_cases", "must be a positive integer")

    created = data.get("created")
    if created is not None and not (isinstance(created, datetime.date) and not isinstance(created, datetime.datetime)):
        raise KataFormatError(toml_path, "created", "must be a date, written as created = 2026-11-28")
    entry = _require(data, "entry", str, toml_path)
    _check_python(folder / "solution.py", entry)
    _check_python(folder / "starter.py", entry)
    return Kata(
        slug=slug,
        title=_require(data, "title", str, toml_path),
        difficulty=difficulty,
        time=time,
        topics=tuple(topics),
        entry=entry,
        signature=_require(data, "signature", str, toml_path),
        kind=kind,
        path=folder,
        pack=pack,
        exact=bool(data.get("exact", False)),
        hidden_cases=hidden,
        hints=tuple(hints),
        limits=_parse_limits(data, toml_path),
        rules=_parse_rules(data, toml_path),
        pattern=data.get("pattern"),
        pattern_input=int(data.get("pattern_input", 0)),
        tolerances=_parse_tolerances(data, toml_path),
        variants=_load_variants(folder),
        created=created,
    )
