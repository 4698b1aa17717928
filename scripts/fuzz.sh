#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for FUZZ_SECONDS each (default 60); used by
# `make fuzz` and `make fuzz-smoke` (10 s). FUZZ_TARGETS="domain cursor" runs only those.
#
# Each target starts from its checked-in seeds (fuzz/seeds/<target>/, read only) and the corpus that
# earlier runs grew (fuzz/corpus/<target>/, not checked in); a finding is written to
# fuzz/artifacts/<target>/. Prints one line per target (executions, crashes) and fails if any target
# found a crash or did not run.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
cargo +nightly fuzz build   # every target, before the clock starts
targets=${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

failed=0
summary=()
for t in $targets; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  touch "$logs/$t.start"
  # resource_uri: longer inputs than libFuzzer's default 4096 bytes, to reach the 8192-byte URI limit.
  extra=()
  [ "$t" = resource_uri ] && extra+=(-max_len=9000)
  # A dictionary of the input grammar's tokens (fuzz/dicts/<target>.dict), when the target has one.
  [ -f "fuzz/dicts/$t.dict" ] && extra+=(-dict="fuzz/dicts/$t.dict")
  echo "fuzz: $t for ${seconds}s"
  rc=0
  cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -timeout=20 -print_final_stats=1 "${extra[@]}" >"$logs/$t.log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -n 1)
  cov=$(grep -oE '^#[0-9]+.* cov: [0-9]+' "$logs/$t.log" | tail -n 1 | sed 's/.* cov: //')
  crashes=$(find "fuzz/artifacts/$t" -type f -newer "$logs/$t.start" | wc -l)
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    echo "fuzz: $t FAILED (exit $rc):" >&2
    # The panic (an invariant's message) or libFuzzer's own report; else the end of the log.
    { grep -A 2 -E "panicked at|^==[0-9]+== ?ERROR" "$logs/$t.log" || grep -v '^#[0-9]' "$logs/$t.log" | tail -n 30; } | head -n 30 >&2
    find "fuzz/artifacts/$t" -type f -newer "$logs/$t.start" | while read -r a; do
      echo "fuzz: reproduce with: cargo +nightly fuzz run $t $a" >&2
    done
  fi
  summary+=("$(printf 'fuzz: %-13s %10s executions (%ss budget), coverage %5s edges, %s crash(es)%s' "$t" "${runs:-?}" "$seconds" "${cov:-?}" "$crashes" \
    "$([ "$rc" -ne 0 ] && echo ", exit $rc" || true)")")
done

printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED" >&2
  exit 1
fi
