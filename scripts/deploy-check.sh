#!/bin/sh
# `wrangler deploy --dry-run`: builds the Worker exactly as `wrangler deploy` would (wrangler.toml's
# [build] command, then wrangler's bundling), uploads nothing, and fails if the upload's gzip size is
# over the budget. Used by `make test` (as its build step) and `make deploy-check`.
#
#   BUNDLE_BUDGET_KIB   the gzip budget in KiB (default 548: today's bundle, about 540 KiB with odoo_action, approval, attachments,
#                       companies and the sign-in pages in eleven languages, down from 673 KiB by the steps in
#                       docs/performance.md, "The bundle's size" (the console's script, style and words as static files beside
#                       the Worker the largest); and a little room, so that growth is noticed when it happens; issue 21 aims
#                       at 400. The Workers Free plan's own limit is 3 MiB)
set -eu
cd "$(dirname "$0")/.."
budget=${BUNDLE_BUDGET_KIB:-548}
out=build/deploy-dry-run
log=build/deploy-dry-run.log
mkdir -p build
rm -rf "$out"
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

if ! npx --no wrangler deploy --dry-run --outdir "$out" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "deploy-check: wrangler deploy --dry-run failed (full output: $log)" >&2
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
if awk -v s="$gzip_kib" -v b="$budget" 'BEGIN { exit !(s + 0 > b + 0) }'; then
  echo "deploy-check: FAILED: the deploy bundle is $gzip_kib KiB gzip, over the budget of $budget KiB ($line)" >&2
  exit 1
fi
echo "deploy-check: $line (budget $budget KiB gzip): ok"
