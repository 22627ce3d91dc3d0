#!/usr/bin/env bash
# System packages the strict judge needs, on Debian/Ubuntu, idempotently (run as root; the
# bootstrap calls it). Today that is only libseccomp2: pyseccomp (the `strict` extra) loads it.
# Namespaces and Landlock come with the kernel and need no package.
set -euo pipefail

packages=(libseccomp2)

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
    echo "install-system-deps: not a Debian system; install these yourself for the strict judge: ${missing[*]}" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: run as root to install: ${missing[*]} (the strict judge needs them)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y --no-install-recommends "${missing[@]}"
