# Odoo MCP at the edge: build, dev and test entry points.
#   make setup      install what is missing: Debian packages, the Rust tools, node_modules, the venv
#   make build      release wasm build (build/worker/shim.mjs), when a source changed
#   make dev        local worker on http://127.0.0.1:$(PORT) with a local D1 (PORT=8787 by default)
#   make demo       the worker + a fake Odoo with demo data, a read-only key, commands to try (DEMO_ODOO=17)
#   make test       everything CI runs: test-native, lint, deploy-check (the build), test-e2e
#   make deploy-check  wrangler deploy --dry-run: the deploy bundle built, its gzip size within budget
#   make bench      gross latency vs. the direct Odoo call (both eras, cold/warm), D1 and Odoo calls, throughput
#   make profile    where the Worker's CPU goes on a warm tools/call (V8's profiler; target/profile/)
#   make critical-path  what a warm tools/call waits for before and after its Odoo call, beside the floor (Linux perf)
#   make fuzz       each cargo-fuzz target for FUZZ_SECONDS (60) s (installs cargo-fuzz, nightly); fuzz-smoke: 10 s
#   make clean      remove build outputs (distclean: also node_modules, .venv, local D1 state)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# When `make demo` started, read first: the demo's banner says "ready in" from here, which is what the
# person waited (setup and build checks included), not just the demo script's own steps.
ifneq ($(filter demo,$(MAKECMDGOALS)),)
DEMO_STARTED_MS := $(shell date +%s%3N)
endif
.DEFAULT_GOAL := help
# A recipe that fails leaves no target behind (a half-written build/worker/shim.mjs would look built).
.DELETE_ON_ERROR:

PORT ?= 8787
DEMO_ODOO ?= 19
FUZZ_SECONDS ?= 60
# WORKER_BUILD_VERSION, CARGO_FUZZ_VERSION, MCP_PY_VERSION: each pinned once, there.
include scripts/versions.env
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
# wasm-bindgen-cli must equal the wasm-bindgen library version locked in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell scripts/versions.sh wasm-bindgen)

export PATH := $(CARGO_BIN):$(PATH)
export WRANGLER_SEND_METRICS := false
# npx runs the project's pinned tools with node_modules/.bin (and so Node 22) first on PATH.
NPX := npx --no
WRANGLER := $(NPX) wrangler

.PHONY: help setup setup-system setup-rust setup-fuzz setup-node setup-python build deploy-check dev demo dev-vars \
        schema-local test test-native lint test-e2e bench profile critical-path fuzz fuzz-smoke clean distclean

help:
	@sed -n '2,11p' Makefile | sed 's/^# \{0,1\}//'

## ---------------------------------------------------------------- setup
# The first run on a fresh machine takes about 10 minutes (README, "The two commands"); later runs
# check versions and stamps only, in about a second.
setup: setup-system setup-rust setup-node setup-python

# Debian packages (scripts/system-packages.sh: installs the missing ones, or prints the command to run).
setup-system:
	@./scripts/system-packages.sh

setup-rust: setup-system
	@command -v rustup >/dev/null || { echo "setup: rustup is not installed: see https://rustup.rs, then run make setup again" >&2; exit 1; }
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
	@if [ "$$(worker-build --version 2>/dev/null | awk '{print $$NF}')" != "$(WORKER_BUILD_VERSION)" ]; then \
	  echo "setup: cargo install worker-build@$(WORKER_BUILD_VERSION)"; \
	  cargo install worker-build@$(WORKER_BUILD_VERSION) --locked --force; \
	fi
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
	@# Not --locked: wasm-bindgen-cli's lockfile pins a webpki-roots the registry does not serve.
	@if [ "$$(wasm-bindgen --version 2>/dev/null | awk '{print $$2}')" != "$(WASM_BINDGEN_VERSION)" ]; then \
	  echo "setup: cargo install wasm-bindgen-cli@$(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli@$(WASM_BINDGEN_VERSION) --force; \
	fi

# Only for make fuzz (about 1 minute for cargo-fuzz, plus the nightly toolchain), not for make setup:
# make test runs its fuzz smoke stage only when both are already installed.
FUZZ_READY = [ "$$(cargo fuzz --version 2>/dev/null | awk '{print $$NF}')" = "$(CARGO_FUZZ_VERSION)" ] \
  && rustup run nightly rustc --version >/dev/null 2>&1

setup-fuzz:
	@./scripts/system-packages.sh fuzz
	@if [ "$$(cargo fuzz --version 2>/dev/null | awk '{print $$NF}')" != "$(CARGO_FUZZ_VERSION)" ]; then \
	  echo "setup: cargo install cargo-fuzz@$(CARGO_FUZZ_VERSION)"; \
	  cargo install cargo-fuzz@$(CARGO_FUZZ_VERSION) --locked --force; \
	fi
	@rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal

setup-node: node_modules/.package-lock.json

# npm runs under whatever Node the system has (Node 22 itself is one of the packages it installs), so
# it warns (EBADENGINE) about packages that want Node 22; they only ever run under node_modules' Node 22.
node_modules/.package-lock.json: package-lock.json package.json | setup-system
	npm ci --no-audit --no-fund
	@case "$$(node --version)" in v22.*) ;; *) echo "setup: the EBADENGINE warnings above are harmless: npm ran under the system Node $$(node --version), but those packages only ever run under node_modules' Node 22, which make, npx and npm's install scripts put first on PATH";; esac
	@touch $@

setup-python: .venv/.mcp-$(MCP_PY_VERSION)

.venv/.mcp-$(MCP_PY_VERSION): | setup-system
	@test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/python -m pip install --quiet --disable-pip-version-check "mcp==$(MCP_PY_VERSION)"
	@rm -f .venv/.mcp-*
	@touch $@

## ---------------------------------------------------------------- build / dev
# Everything the release build reads: the bundle is rebuilt when one of these is newer than it, and
# only then (a rebuild with nothing changed still costs about 30 s of wasm-bindgen, wasm-opt, esbuild).
# node_modules/.package-lock.json stands for the installed esbuild and binaryen (newer after each npm ci).
BUILD_INPUTS := $(shell find src -type f) build.rs Cargo.toml Cargo.lock wrangler.toml wrangler.admin.toml scripts/build-worker.sh scripts/strip-wasm-names.mjs scripts/console-assets.mjs \
  scripts/versions.env node_modules/.package-lock.json

build: setup build/worker/shim.mjs

# Both Workers (scripts/build-worker.sh: the `/mcp` Worker in build/, the admin Worker in build/admin/);
# the first one's shim stands for the pair.
build/worker/shim.mjs: $(BUILD_INPUTS)
	./scripts/build-worker.sh
	@touch $@

deploy-check: setup
	./scripts/deploy-check.sh

dev-vars:
	@./scripts/dev-vars.sh

schema-local: setup-node
	@$(WRANGLER) d1 execute DB --local --file schema.sql > .wrangler-schema.log 2>&1 \
	  || { cat .wrangler-schema.log; rm -f .wrangler-schema.log; echo "dev: applying schema.sql to the local D1 failed" >&2; exit 1; }
	@rm -f .wrangler-schema.log
	@echo "dev: schema.sql applied to the local D1 (.wrangler/state)"

dev: setup dev-vars schema-local
	$(WRANGLER) dev --config wrangler.toml --config wrangler.admin.toml --ip 127.0.0.1 --port $(PORT)

# Its own D1, secrets and logs in .demo/ (wiped at each start); .dev.vars and .wrangler/state are left alone.
# DEMO_STARTED_MS (set at the top of this file) makes the banner's "ready in" the time since make started.
demo: setup build
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" PORT=$(PORT) DEMO_ODOO=$(DEMO_ODOO) DEMO_STARTED_MS=$(DEMO_STARTED_MS) node scripts/demo.mjs

## ---------------------------------------------------------------- tests
test: setup
	@$(MAKE) --no-print-directory test-native || { echo "make test: FAILED in test-native (cargo test --workspace)" >&2; exit 1; }
	@$(MAKE) --no-print-directory lint        || { echo "make test: FAILED in lint (scripts/check-versions.mjs; cargo fmt --check; cargo clippy: no unwrap/expect/panic outside tests)" >&2; exit 1; }
	@# Fuzzing needs cargo-fuzz and the nightly toolchain (make fuzz installs both); without them, the
	@# seeds still ran in test-native.
	@if $(FUZZ_READY); then \
	  $(MAKE) --no-print-directory fuzz-smoke || { echo "make test: FAILED in fuzz-smoke (scripts/fuzz.sh)" >&2; exit 1; }; \
	else echo "make test: fuzz-smoke skipped: cargo-fuzz $(CARGO_FUZZ_VERSION) or the nightly toolchain is not installed (make fuzz installs them)"; fi
	@# The build as `wrangler deploy` makes it (its [build] command), with the bundle size checked.
	@$(MAKE) --no-print-directory deploy-check || { echo "make test: FAILED in deploy-check (scripts/deploy-check.sh: build or bundle size)" >&2; exit 1; }
	@# test-e2e prints the closing `N passed, M failed` line, so nothing is printed after it on success.
	@$(E2E)                                   || { echo "make test: FAILED in test-e2e (tests/e2e/harness)" >&2; exit 1; }

test-native:
	cargo test --workspace
	cargo test -p odoo-mcp-edge --features bench --test bench_counters

# rustfmt-clean; the core and the Worker adapter: src/lib.rs denies unwrap/expect/panic outside tests;
# every version the documentation quotes is the pinned one (scripts/check-versions.mjs).
lint:
	node scripts/check-versions.mjs
	cargo fmt --all --check
	cargo clippy -p odoo-mcp-edge --lib -- -D warnings
	cargo clippy --workspace --tests -- -D warnings
	cargo clippy -p odoo-mcp-edge --lib --features bench -- -D warnings
	cargo clippy -p odoo-mcp-edge --lib --features fuzzing -- -D warnings
	cargo clippy -p odoo-mcp-edge --lib --target wasm32-unknown-unknown --no-default-features --features mcp -- -D warnings
	cargo clippy -p odoo-mcp-edge --lib --target wasm32-unknown-unknown --no-default-features --features admin -- -D warnings
	@# The bench's Rust floor (bench/rust-floor), a workspace of its own.
	cargo fmt --manifest-path bench/rust-floor/Cargo.toml --check
	cargo clippy --locked --manifest-path bench/rust-floor/Cargo.toml --target wasm32-unknown-unknown --target-dir target/rust-floor -- -D warnings

# The e2e workers run the built bundle as it is (no rebuild on source edits while the suite runs).
# The harness (tests/e2e/harness/main.mjs) runs under node_modules' Node 22, as demo and bench do.
E2E := PATH="$(CURDIR)/node_modules/.bin:$$PATH" node tests/e2e/harness/main.mjs
test-e2e: build
	$(E2E)

## ---------------------------------------------------------------- benchmark
# The release bundle's size, and a `bench`-feature build (build-bench/) served by scripts/serve.mjs (workerd
# through Miniflare, without wrangler dev's proxy); see scripts/bench.mjs. First the native simulation of the
# critical path (tests/latency_simulation.rs: D1 30 ms, Odoo 80 ms); either missing a budget fails, after both ran.
bench: build
	@sim=0; cargo test --release -p odoo-mcp-edge --test latency_simulation -- --ignored --nocapture || sim=$$?; \
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" node scripts/bench.mjs || exit $$?; \
	if [ "$$sim" -ne 0 ]; then echo "make bench: the latency simulation missed its budget (see above)" >&2; exit "$$sim"; fi

# Where the Worker's CPU goes on a warm tools/call: V8's sampling profiler through the inspector of a build
# that keeps the wasm's names (build-profile/); see scripts/profile.mjs. Information, no budget.
profile: setup
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" node scripts/profile.mjs

# What a warm tools/call waits for, split at its Odoo request and answer, beside the runtime's floor: Linux
# perf on both workerds during the bench's rounds; see scripts/critical-path.mjs. Information, no budget.
critical-path: setup
	@./scripts/system-packages.sh perf
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" node scripts/critical-path.mjs

## ---------------------------------------------------------------- fuzzing
# libFuzzer on the parsers and validators (fuzz/, see scripts/fuzz.sh); fails if a target crashes.
fuzz: setup-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz.sh

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

## ---------------------------------------------------------------- clean
clean:
	cargo clean
	rm -rf fuzz/target fuzz/corpus build build-bench build-profile dist .demo tests/e2e/artifacts .wrangler-schema.log bench-results.json

distclean: clean
	rm -rf node_modules .venv .wrangler
