#!/usr/bin/env bash
# Set up on first use, then run the whole test suite (extra arguments go to pytest).
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root"
exec .venv/bin/python -m pytest "$@"
