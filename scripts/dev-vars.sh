#!/bin/sh
# Create .dev.vars (read by `wrangler dev`) with fresh local secrets, if it does not exist yet.
# The secrets are never printed. Usage: scripts/dev-vars.sh [path]   (default: .dev.vars at the repo root)
set -eu
cd "$(dirname "$0")/.."
out=${1:-.dev.vars}
if [ -e "$out" ]; then
  echo "dev-vars: $out already exists; keeping it (delete it to get new secrets)"
  exit 0
fi
rand_b64() { python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }
rand_b64url() { python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())'; }
umask 077
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
{
  echo "# Local development only (wrangler dev). Never use these values in production."
  echo "# Admin API: Authorization: Bearer <ADMIN_TOKEN>"
  echo "ADMIN_TOKEN=\"$(rand_b64url)\""
  echo "# Key that encrypts stored Odoo API keys: base64 of 32 random bytes"
  echo "CREDENTIALS_KEY=\"$(rand_b64)\""
  echo "# Allow loopback Origins and http://127.0.0.1 Odoo URLs (dev only)"
  echo "DEV_ALLOW_LOOPBACK=\"true\""
} > "$tmp"
mv "$tmp" "$out"
echo "dev-vars: wrote new secrets to $out (ADMIN_TOKEN, CREDENTIALS_KEY); read them there"
