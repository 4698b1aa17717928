#!/usr/bin/env bash
# Fetches the parts of n8n's published @n8n/n8n-nodes-langchain package that clients.test.mjs checks the
# n8n snippet against (the MCP Client and MCP Client Tool parameter schemas, and the credential each
# Authentication option needs), pinned by version and sha512 (scripts/versions.env), into a git-ignored
# cache:
#
#   bash tests/e2e/fetch-n8n-nodes.sh      prints the cache directory (.cache/n8n-nodes-langchain-<version>)
#
# Idempotent: a complete cache is reused without the network. Uses `npm pack` (the npm registry only);
# the tarball has no install scripts and nothing is installed or run from it but those schema files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. ./scripts/versions.env
VERSION=$N8N_NODES_LANGCHAIN_VERSION
INTEGRITY=$N8N_NODES_LANGCHAIN_INTEGRITY
DEST=$PWD/.cache/n8n-nodes-langchain-$VERSION
KEEP=(package/package.json
  package/dist/node-definitions/nodes/n8n-nodes-langchain/mcpClient
  package/dist/node-definitions/nodes/n8n-nodes-langchain/mcpClientTool
  package/dist/nodes/mcp/shared/descriptions.js)

if [ -f "$DEST/.complete" ]; then
  echo "$DEST"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack "@n8n/n8n-nodes-langchain@$VERSION" --pack-destination "$tmp" --silent >/dev/null
tgz=$(ls "$tmp"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "fetch-n8n-nodes: $tgz has $got, expected $INTEGRITY" >&2
  exit 1
fi
rm -rf "$DEST"
mkdir -p "$DEST"
tar -xzf "$tgz" -C "$DEST" "${KEEP[@]}"
touch "$DEST/.complete"
echo "$DEST"
