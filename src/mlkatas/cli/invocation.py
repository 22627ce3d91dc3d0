"""How the learner started this command, so that every command it prints runs when pasted.

`./mlkatas.sh` passes the path it was started by ($0) in MLKATAS_INVOKED_AS, as typed; the console
script (`.venv/bin/mlkatas`, or `mlkatas` on PATH) is told by sys.argv[0]; anything else is
`python -m mlkatas`. A path is printed as the learner typed it, shortened to a bare name only when
PATH finds that very file: `./mlkatas.sh check split-heads` works from the folder it was typed in.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import sys

INVOKED_AS_ENV = "MLKATAS_INVOKED_AS"
NAME = "mlkatas"


@functools.cache
def prefix() -> str:
    """The start of every printed command: `./mlkatas.sh`, `mlkatas`, `.venv/bin/mlkatas`..."""
    script = os.environ.get(INVOKED_AS_ENV)
    if script:
        return runnable(script)
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == NAME:  # the console script
        return runnable(argv0)
    return f"{python()} -m {NAME}"


def command(*args: str) -> str:
    """A whole command line: `./mlkatas.sh check split-heads 'my file.py'`."""
    return " ".join([prefix(), *(shlex.quote(a) for a in args)])


def usage_name() -> str:
    """The program's name in --help and usage errors: the prefix, except under `python -m`, where
    help keeps the name `mlkatas` (a command line with an interpreter's path reads badly there)."""
    launched = os.environ.get(INVOKED_AS_ENV) or os.path.basename(sys.argv[0] if sys.argv else "") == NAME
    return prefix() if launched else NAME


def runnable(path: str) -> str:
    """`path` as the learner can run it from this folder: the bare name when PATH finds this very
    file, else the path as given (`./` before a bare name PATH does not find: `bash mlkatas.sh`)."""
    name = os.path.basename(path)
    found = shutil.which(name)
    if found is not None and _same_file(found, path):
        return shlex.quote(name)
    if os.sep not in path:
        path = os.path.join(os.curdir, path)
    return shlex.quote(path)


def python() -> str:
    """This interpreter, by name when PATH finds exactly it (a venv's python links to the system's:
    only the path itself says which packages it sees)."""
    exe = sys.executable or "python3"
    for name in (os.path.basename(exe), "python3", "python"):
        found = shutil.which(name)
        if found is not None and os.path.abspath(found) == os.path.abspath(exe):
            return shlex.quote(name)
    return shlex.quote(exe)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
