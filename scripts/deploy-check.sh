#!/bin/sh
# `wrangler deploy --dry-run` of both Workers: builds each exactly as `wrangler deploy` would (its
# configuration's [build] command, then wrangler's bundling), uploads nothing, and fails if an upload's
# gzip size is over its budget. Used by `make test` (as its build step) and `make deploy-check`.
#
#   BUNDLE_BUDGET_KIB        the `/mcp` Worker's (wrangler.toml) gzip budget in KiB (default 400, issue 21's
#                            goal: it is the Worker every MCP request starts; about 383 KiB today, see
#                            docs/performance.md, "The bundle's size")
#   ADMIN_BUNDLE_BUDGET_KIB  the admin Worker's (wrangler.admin.toml: the console, its API, the OAuth
#                            authorization server; default 380, about 363 KiB today)
# A little room in each, so that growth is noticed when it happens. The Workers Free plan's own limit is 3 MiB.
set -eu
cd "$(dirname "$0")/.."
budget=${BUNDLE_BUDGET_KIB:-400}
admin_budget=${ADMIN_BUNDLE_BUDGET_KIB:-380}
mkdir -p build
rm -rf build/deploy-dry-run build/deploy-dry-run.log
PATH="$PWD/node_modules/.bin:$PATH"
export PATH WRANGLER_SEND_METRICS=false

# Placement (README, "Deploy to Cloudflare"; docs/performance.md, "Placement in production"): every MCP
# request waits on D1 and then on Odoo, so the Worker must run near them rather than near each client.
# wrangler.toml's [placement] must say mode = "smart" (or name the back end's region, host or hostname).
placement=$(awk '
  /^[[:space:]]*\[/ { in_placement = ($0 ~ /^[[:space:]]*\[placement\][[:space:]]*(#.*)?$/); next }
  in_placement && /^[[:space:]]*(mode|region|host|hostname)[[:space:]]*=/ { sub(/#.*/, ""); gsub(/[[:space:]"]/, ""); print }
' wrangler.toml)
case " $(printf '%s ' $placement)" in
  *" mode=smart "* | *" region="?* | *" host="?* | *" hostname="?*) ;;
  *)
    echo "deploy-check: FAILED: wrangler.toml has no placement setting (or it is off): add" >&2
    printf '  [placement]\n  mode = "smart"\n' >&2
    echo "so that the Worker runs near D1 and Odoo (see README, \"Deploy to Cloudflare\")" >&2
    exit 1
    ;;
esac

# One Worker's dry run: its configuration, its budget, the name it is reported by.
check() {
  config=$1 limit=$2 what=$3 out=build/deploy-dry-run/$what log=build/deploy-dry-run/$what.log
  mkdir -p "$out"
  if ! npx --no wrangler deploy --dry-run --config "$config" --outdir "$out" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "deploy-check: wrangler deploy --dry-run --config $config failed (full output: $log)" >&2
    exit 1
  fi
  # wrangler prints: Total Upload: 1533.10 KiB / gzip: 546.57 KiB
  line=$(grep -E '^Total Upload: ' "$log" | tail -n 1 || true)
  gzip_kib=$(printf '%s\n' "$line" | sed -n 's/.*gzip: \([0-9.]*\) KiB.*/\1/p')
  if [ -z "$gzip_kib" ]; then
    tail -n 30 "$log" >&2
    echo "deploy-check: no 'Total Upload: … gzip: … KiB' line in wrangler's output ($log)" >&2
    exit 1
  fi
  if awk -v s="$gzip_kib" -v b="$limit" 'BEGIN { exit !(s + 0 > b + 0) }'; then
    echo "deploy-check: FAILED: the $what Worker's bundle is $gzip_kib KiB gzip, over the budget of $limit KiB ($line)" >&2
    exit 1
  fi
  echo "deploy-check: the $what Worker: $line (budget $limit KiB gzip): ok"
}
# The admin Worker first, as it is deployed (the other's service binding names it).
check wrangler.admin.toml "$admin_budget" admin
check wrangler.toml "$budget" mcp
