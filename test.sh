#!/usr/bin/env bash
# Set up on first use, then run the gates and the whole test suite (extra arguments go to pytest):
# ruff over src/ and tests/, mypy over the engine and the judge's protocol, then pytest.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root"
.venv/bin/ruff check --quiet src tests
.venv/bin/mypy src/mlkatas/engine src/mlkatas/judge/protocol
exec .venv/bin/python -m pytest "$@"
