#!/usr/bin/env bash
# Set up everything mlkatas needs, idempotently: a virtual environment in .venv with the package
# and its test tools, and (as root on Debian) the system packages the strict judge uses.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "mlkatas needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi

if [ -x scripts/install-system-deps.sh ]; then
    scripts/install-system-deps.sh
fi

if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
# Reinstall only when the project's requirements changed.
stamp=.venv/.mlkatas-installed
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[test,strict]"
    echo "$want" > "$stamp"
fi
