"""The learner's workspace: kata files in a folder and a state file that records progress.

The default workspace is `./katas/`: one file per kata (`katas/split-heads.py`) and
`katas/.mlkatas-state.json`, which records what was started, checked, solved, hinted, given up
and reset. Commands run anywhere below the folder that holds `katas/` find it, like git finds
its repository; `$MLKATAS_WORKSPACE` names a workspace folder directly. Where none is found, a
new one starts in `./katas/`, and `on_create` lets the front end say so.

The state file carries a `"tool": "mlkatas"` marker and a format number, is written atomically
(temporary file + rename) under a lock, and keeps keys it does not know, so an older or newer
mlkatas can share it. A state file that is not valid JSON, not ours, or from a newer format is
reported as a WorkspaceError and never rewritten: progress is not something to reset silently.

No rich, typer or torch here: every front end (CLI, watch, notebooks) uses this module.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from mlkatas.catalog.kata import Kata

WORKSPACE_DIR = "katas"
STATE_FILE = ".mlkatas-state.json"
LOCK_FILE = ".mlkatas-state.lock"
BACKUP_DIR = "backups"
WORKSPACE_ENV = "MLKATAS_WORKSPACE"
TOOL = "mlkatas"
FORMAT = 1

# The fields of one kata's record and the types a valid state file gives them.
RECORD_TYPES: dict[str, tuple[type, ...]] = {
    "started": (str, type(None)),
    "attempts": (int,),
    "last_status": (str, type(None)),
    "last_checked": (str, type(None)),
    "solved": (str, type(None)),
    "hints": (int,),
    "gave_up": (str, type(None)),
    "resets": (list,),
}


class WorkspaceError(Exception):
    """The state file cannot be used as it is (not JSON, not ours, from a newer mlkatas, a
    field of the wrong type, unreadable): `path` says which file and `problem` what is wrong.
    The file is left as it is; front ends report it and stop."""

    def __init__(self, path: Path, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_record() -> dict:
    return {
        "started": None,
        "attempts": 0,
        "last_status": None,
        "last_checked": None,
        "solved": None,
        "hints": 0,
        "gave_up": None,
        "resets": [],
    }


def validate_state(data: object, path: Path) -> dict:
    """The state as a dict, or a WorkspaceError saying why it cannot be trusted."""
    if not isinstance(data, dict) or data.get("tool") != TOOL:
        raise WorkspaceError(
            path, f'not an mlkatas state file (no "tool": "{TOOL}" marker); move it away or use another folder'
        )
    version = data.get("format")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WorkspaceError(path, f'corrupt: "format" must be a positive integer, not {version!r}')
    if version > FORMAT:
        raise WorkspaceError(
            path, f"written by a newer mlkatas (state format {version}; this one reads up to {FORMAT}); upgrade mlkatas"
        )
    katas = data.setdefault("katas", {})
    if not isinstance(katas, dict):
        raise WorkspaceError(path, 'corrupt: "katas" must be an object')
    for slug, record in katas.items():
        if not isinstance(record, dict):
            raise WorkspaceError(path, f'corrupt: the record of "{slug}" must be an object')
        for key, types in RECORD_TYPES.items():
            if key in record and (not isinstance(record[key], types) or isinstance(record[key], bool)):
                wrong = type(record[key]).__name__
                raise WorkspaceError(path, f'corrupt: "{slug}"."{key}" has the wrong type ({wrong})')
    current = data.get("current")
    if current is not None and not isinstance(current, str):
        raise WorkspaceError(path, 'corrupt: "current" must be a slug')
    return data


def starter_file(kata: "Kata", prog: str) -> str:
    """What `start` and `reset` write: a short header that says what to do, then the starter.
    `prog` starts the commands the header names, as the learner runs mlkatas (`./mlkatas.sh`)."""
    return (
        f"# {kata.slug} · {kata.title}  ({kata.difficulty}, {kata.time})\n"
        f"# Write {kata.entry} below. Check it with `{prog} check {kata.slug}`, or keep `{prog} watch` running.\n"
        f"# The task: `{prog} show {kata.slug}`.  Stuck? `{prog} hint {kata.slug}`.\n\n"
        + kata.starter
    )


def starter_body(text: str) -> str:
    """A kata file without the comment header `starter_file` puts above the starter: the header
    names commands the way mlkatas was started, so files are compared without it."""
    head, blank, body = text.partition("\n\n")
    if blank and head and all(line.startswith("#") for line in head.splitlines()):
        return body
    return text


def same_starter(content: bytes, starter: str) -> bool:
    """Whether a kata file's bytes are `starter` (a header and all, or the starter alone), whichever
    header each was written with."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return starter_body(text) == starter_body(starter)


def is_starter(content: bytes, kata: "Kata") -> bool:
    """Whether a kata file is still the untouched starter of `kata`."""
    return same_starter(content, starter_file(kata, ""))


class Workspace:
    """The learner's workspace folder: `<root>/<slug>.py` per kata, old versions in
    `<root>/backups/`, and the state file `<root>/.mlkatas-state.json`.

    Reads (`state`, `record`, `solved`, ...) use the state as last read or written; every change
    (`start`, `record_check`, `reveal_hint`, `give_up`, `reset`) re-reads it under the lock,
    changes it and writes it back whole, so a watch and a check running at once lose nothing.
    Which kata the learner is on is decided in learner/progress.py."""

    def __init__(self, root: Path, on_create: "Callable[[Workspace], None] | None" = None):
        """`on_create` is called after the write that creates the state file, so a front end
        can say where the new workspace is (it had none in this folder or above it)."""
        self.root = Path(root)
        self.state_path = self.root / STATE_FILE
        self.on_create = on_create
        self._state: dict | None = None

    # -- finding one ----------------------------------------------------------------------
    @classmethod
    def find(cls, start: Path | None = None) -> "Workspace | None":
        """The workspace for `start` (default: the current folder), or None when there is none yet."""
        env = os.environ.get(WORKSPACE_ENV)
        if env:
            return cls(Path(env))
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / STATE_FILE).is_file():
                return cls(folder)
            if (folder / WORKSPACE_DIR / STATE_FILE).is_file():
                return cls(folder / WORKSPACE_DIR)
        return None

    @classmethod
    def find_or_new(
        cls, start: Path | None = None, on_create: "Callable[[Workspace], None] | None" = None
    ) -> "Workspace":
        """The existing workspace, or a new one at `./katas` (created on the first save, which
        calls `on_create`)."""
        found = cls.find(start)
        if found is not None:
            return found
        return cls(Path(start or Path.cwd()).resolve() / WORKSPACE_DIR, on_create=on_create)

    # -- the state file -------------------------------------------------------------------
    @property
    def exists(self) -> bool:
        """Whether the state file has been written: False for a new workspace before its first change."""
        return self.state_path.is_file()

    @property
    def state(self) -> dict:
        if self._state is None:
            self._state = self._read()
        return self._state

    def _read(self) -> dict:
        try:
            text = self.state_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"tool": TOOL, "format": FORMAT, "created": now(), "current": None, "katas": {}}
        except UnicodeDecodeError:
            raise WorkspaceError(self.state_path, "corrupt: not UTF-8 text") from None
        except OSError as exc:
            raise WorkspaceError(self.state_path, f"cannot read it: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WorkspaceError(
                self.state_path, f"corrupt: not valid JSON ({exc.msg} at line {exc.lineno}); fix it or move it away"
            ) from None
        return validate_state(data, self.state_path)

    def reload(self) -> dict:
        self._state = None
        return self.state

    def _write(self, state: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        creating = not self.state_path.exists()
        tmp = self.state_path.with_name(f"{STATE_FILE}.tmp-{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(state, f, indent=2, sort_keys=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_path)
        if creating and self.on_create is not None:
            self.on_create(self)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise read-modify-write across processes (a watch and a check can run at once)."""
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; the atomic rename still keeps the file whole
            yield
            return
        with open(self.root / LOCK_FILE, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def update(self) -> Iterator[dict]:
        """`with ws.update() as state:` reads the newest state, lets you change it, saves it."""
        with self._locked():
            state = self.reload()
            yield state
            self._write(state)

    def record(self, slug: str) -> dict:
        """The kata's record (defaults when it has none); read-only use."""
        return {**new_record(), **self.state["katas"].get(slug, {})}

    @staticmethod
    def _record_in(state: dict, slug: str) -> dict:
        record = state["katas"].setdefault(slug, {})
        for key, value in new_record().items():
            record.setdefault(key, value)
        return record

    # -- questions ------------------------------------------------------------------------
    @property
    def current(self) -> str | None:
        return self.state.get("current")

    def solved(self) -> list[str]:
        return [s for s, r in self.state["katas"].items() if r.get("solved")]

    def attempted(self) -> list[str]:
        """Started or checked, not solved yet."""
        return [
            s for s, r in self.state["katas"].items()
            if not r.get("solved") and (r.get("started") or r.get("attempts"))
        ]

    def first_unsolved(self, order: list[str]) -> str | None:
        """The first kata of `order` not solved yet (None: all solved)."""
        solved = set(self.solved())
        return next((s for s in order if s not in solved), None)

    def next_unsolved(self, order: list[str], after: str | None) -> str | None:
        """The first unsolved kata after `after` in `order`, wrapping round; never `after` itself."""
        solved = set(self.solved())
        start = order.index(after) + 1 if after in order else 0
        for slug in order[start:] + order[:start]:
            if slug not in solved and slug != after:
                return slug
        return None

    def kata_file(self, slug: str) -> Path:
        return self.root / f"{slug}.py"

    def has_file(self, slug: str) -> bool:
        return self.kata_file(slug).is_file()

    def owns(self, file: Path, slug: str) -> bool:
        """Whether `file` is this workspace's file for the kata (so a check of it counts)."""
        try:
            return Path(file).resolve() == self.kata_file(slug).resolve()
        except OSError:
            return False

    # -- changes --------------------------------------------------------------------------
    def start(self, slug: str, content: str) -> tuple[Path, bool]:
        """Write the kata's file unless it exists; make it current. Returns (path, created)."""
        path = self.kata_file(slug)
        with self.update() as state:
            created = False
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    with open(path, "x", encoding="utf-8") as f:  # "x": never overwrite
                        f.write(content)
                    created = True
                except FileExistsError:
                    pass
            record = self._record_in(state, slug)
            record["started"] = record["started"] or now()
            state["current"] = slug
        return path, created

    def record_check(self, slug: str, status: str) -> bool:
        """Count an attempt; mark the kata solved when it passed. Returns True on a first solve."""
        with self.update() as state:
            record = self._record_in(state, slug)
            record["attempts"] += 1
            record["last_status"] = status
            record["last_checked"] = now()
            record["started"] = record["started"] or record["last_checked"]
            first = status == "passed" and not record["solved"]
            if first:
                record["solved"] = record["last_checked"]
        return first

    def reveal_hint(self, slug: str, available: int) -> int:
        """Reveal one more hint (up to `available`); returns how many are now revealed."""
        with self.update() as state:
            record = self._record_in(state, slug)
            record["hints"] = min(record["hints"] + 1, available)
            return record["hints"]

    def give_up(self, slug: str) -> None:
        with self.update() as state:
            record = self._record_in(state, slug)
            record["gave_up"] = record["gave_up"] or now()

    def reset(self, slug: str, content: str) -> Path | None:
        """Put the starter back, keeping the old file in backups/; returns the backup's path
        (None when there was nothing to keep: no file, or the file was the starter)."""
        path = self.kata_file(slug)
        backup = None
        with self.update() as state:
            try:
                old = path.read_bytes()
            except FileNotFoundError:
                old = None
            if old is not None and not same_starter(old, content):
                backup = self._backup_path(slug)
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, backup)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.write_text(content, encoding="utf-8")
            os.replace(tmp, path)
            record = self._record_in(state, slug)
            record["started"] = record["started"] or now()
            record["resets"].append({"at": now(), "backup": str(backup.relative_to(self.root)) if backup else None})
            state["current"] = slug
        return backup

    def _backup_path(self, slug: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = self.root / BACKUP_DIR
        candidate = folder / f"{slug}-{stamp}.py"
        n = 1
        while candidate.exists():
            candidate = folder / f"{slug}-{stamp}-{n}.py"
            n += 1
        return candidate

    def set_current(self, slug: str) -> None:
        with self.update() as state:
            state["current"] = slug
