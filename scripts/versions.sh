#!/bin/sh
# Prints one pinned version: scripts/versions.sh NAME, where NAME is a key of scripts/versions.env
# (WORKER_BUILD_VERSION, ...) or `wasm-bindgen`: the wasm-bindgen library version locked in Cargo.lock,
# which the wasm-bindgen CLI must equal. Used by the Makefile and scripts/build-worker.sh, so that the
# number is read from its one source instead of being repeated.
set -eu
cd "$(dirname "$0")/.."
case "${1:-}" in
  wasm-bindgen)
    awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock ;;
  *[!A-Z0-9_]*|"")
    echo "usage: scripts/versions.sh NAME|wasm-bindgen" >&2
    exit 2 ;;
  *)
    . ./scripts/versions.env
    eval "v=\${$1:-}"
    [ -n "$v" ] || { echo "versions: no $1 in scripts/versions.env" >&2; exit 1; }
    echo "$v" ;;
esac
