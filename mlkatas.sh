#!/usr/bin/env bash
# Set up on first use, then run the mlkatas command: ./mlkatas.sh start, ./mlkatas.sh check, ...
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
"$root/scripts/bootstrap.sh" >&2
# The command prints commands to run next; they start the way this one was started ($0, as typed).
MLKATAS_INVOKED_AS="$0" exec "$root/.venv/bin/mlkatas" "$@"
