#!/usr/bin/env bash
# Rebuild the kata page's editor bundle from frontend/editor (npm packages pinned by its lockfile)
# into src/mlkatas/web/static/editor/, or into the folder given as the first argument.
# Deterministic: the same sources, lockfile and script give the same bytes. The bundle's first line
# carries the sha256 of those inputs, which tests/web/test_editor_bundle.py checks.
# Needs Node.js 20+ and npm (and the npm registry, or its cache, the first time).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$(mkdir -p "${1:-src/mlkatas/web/static/editor}" && cd "${1:-src/mlkatas/web/static/editor}" && pwd)"
editor=frontend/editor

# The inputs, hashed as the test hashes them: each file's sha256 line, in byte order of the paths.
inputs_sha256() {
    { find "$editor" -path "$editor/node_modules" -prune -o -type f -print; echo scripts/build-editor.sh; } \
        | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64
}
digest="$(inputs_sha256)"

cd "$editor"
# install exactly the lockfile's packages when node_modules is missing or older than the lockfile
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node_modules/.bin/esbuild src/main.js --bundle --minify --format=iife --target=es2020 \
    --legal-comments=none --log-level=warning --metafile="$work/meta.json" --outfile="$work/editor.js"
node licenses.mjs "$work/meta.json" "$out/LICENSES.txt"
{
    printf '/* mlkatas editor bundle; inputs sha256 %s; rebuild with scripts/build-editor.sh */\n' "$digest"
    cat "$work/editor.js"
} > "$out/editor.js"
echo "built $out/editor.js ($(wc -c < "$out/editor.js") bytes, $(gzip -9n < "$out/editor.js" | wc -c) gzipped)"
