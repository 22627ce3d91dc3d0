#!/usr/bin/env bash
# System packages, on Debian/Ubuntu, idempotently (run as root; the bootstrap calls it):
# libseccomp2 for the strict judge (pyseccomp, the `strict` extra, loads it; namespaces and
# Landlock come with the kernel), and wrk, the load generator of `mlkatas dev bench-web`.
# chromium: the browser the end-to-end tests (tests/web/browser, pytest-playwright) drive.
# postgresql: the store's tests run on PostgreSQL too (they start their own server in a temporary folder).
set -euo pipefail

packages=(libseccomp2 wrk chromium postgresql)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: not a Debian system; install these yourself (strict judge, bench-web): ${missing[*]}" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: run as root to install: ${missing[*]} (the strict judge and bench-web need them)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y --no-install-recommends "${missing[@]}"
